import Link from "next/link";

/** A dashboard record that does not exist (deleted, or a mistyped link). */
export default function AdminNotFound() {
  return (
    <section className="state-panel">
      <h1>Not found</h1>
      <p>This record does not exist. It may have been deleted.</p>
      <p>
        <Link href="/admin">Back to the overview</Link>
      </p>
    </section>
  );
}
