/** Shown while a rules screen loads its data on the server. */
export default function RulesLoading() {
  return (
    <section aria-busy="true">
      <p role="status">Loading rules…</p>
    </section>
  );
}
