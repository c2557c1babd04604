/** Shown while an actions screen loads its data on the server. */
export default function ActionsLoading() {
  return (
    <section aria-busy="true">
      <p role="status">Loading actions…</p>
    </section>
  );
}
