/** Shown while a dashboard screen loads its data on the server. */
export default function AdminLoading() {
  return (
    <section aria-busy="true" aria-live="polite" className="state-panel">
      <p role="status">Loading…</p>
      <div className="skeleton" aria-hidden="true">
        <span />
        <span />
        <span />
      </div>
    </section>
  );
}
