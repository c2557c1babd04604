/** What an endless body saw: bytes pulled from it, and whether its reader gave up on it (cancel). */
export type TEndlessBodyState = { pulled: number; isCancelled: boolean };

const CHUNK_BYTES = 16 * 1024;
/** Never reached by a reader that honours its cap; stops a reader that does not from running for ever. */
const SAFETY_BYTES = 32 * 1024 * 1024;

/**
 * A chunked request body that would go on for ever: chunks are made only when pulled (high-water mark 0), counted,
 * and never end. A reader without a cap meets an error after 32 MiB instead of hanging the test.
 */
export function endlessBody(fill = "x"): { stream: ReadableStream<Uint8Array>; state: TEndlessBodyState } {
  const state: TEndlessBodyState = { pulled: 0, isCancelled: false };
  const chunk = new TextEncoder().encode(fill.repeat(CHUNK_BYTES / new TextEncoder().encode(fill).length));
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (state.pulled >= SAFETY_BYTES) {
          controller.error(new Error("endless body: read past 32 MiB"));
          return;
        }
        state.pulled += chunk.byteLength;
        controller.enqueue(chunk.slice());
      },
      cancel() {
        state.isCancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, state };
}

/** The most a capped reader may pull from an endless body: the cap, plus the chunk that crossed it. */
export function maxPulledFor(capBytes: number): number {
  return capBytes + CHUNK_BYTES;
}

/** A POST Request with an endless chunked body (no Content-Length) to `url`. */
export function endlessRequest(
  url: string,
  headers: Record<string, string> = {},
  method = "POST",
): { req: Request; state: TEndlessBodyState } {
  const { stream, state } = endlessBody();
  // `duplex: "half"` is required for a stream body; TypeScript's DOM RequestInit does not declare it yet.
  const init = { method, headers, body: stream, duplex: "half" } as RequestInit;
  return { req: new Request(url, init), state };
}
