"use client";

/**
 * Any failure while loading a dashboard screen: a plain message and a retry, never the error's text or stack
 * (they may name internals). The digest lets an operator find the full error in the server log.
 */
export default function AdminError({
  error,
  reset,
  retry,
}: {
  error: Error & { digest?: string };
  reset: () => void;
  retry?: () => void;
}) {
  return (
    <section role="alert" aria-labelledby="admin-error-title" className="state-panel">
      <h1 id="admin-error-title">This screen could not be loaded</h1>
      <p>Something went wrong on our side. Your data is unchanged. Try again in a moment.</p>
      {error.digest && (
        <p className="hint">
          Reference for your operator: <code>{error.digest}</code>
        </p>
      )}
      <button type="button" onClick={() => (retry ?? reset)()}>
        Try again
      </button>
    </section>
  );
}
