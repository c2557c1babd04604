"use client";

/** An actions screen failed to load: a plain message and a retry, never the error's details. */
export default function ActionsError({ reset }: { error: Error; reset: () => void }) {
  return (
    <section>
      <h1>Actions could not be loaded</h1>
      <p role="alert">Something went wrong on the server. The problem was logged; try again in a moment.</p>
      <button type="button" onClick={() => reset()}>
        Try again
      </button>
    </section>
  );
}
