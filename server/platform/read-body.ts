// Every request body Portcullis reads goes through here, with a byte cap: the web `Request` of a Next.js route and
// the node request of our own HTTP server alike. A body is pulled chunk by chunk and dropped as soon as it passes
// the cap, so neither a false Content-Length nor a chunked body without one makes us hold (or wait for) more.
// Each caller turns "too large" into its own route family's error (OAuth, admin API, HTML page).

/** A body read under a cap: its bytes, or that it was over the cap (and was not read to its end). */
export type TBodyRead = { isWithinCap: true; bytes: Uint8Array<ArrayBuffer> } | { isWithinCap: false };

/** A body read under a cap, as UTF-8 text. */
export type TBodyTextRead = { isWithinCap: true; text: string } | { isWithinCap: false };

/** A Content-Length header that announces more than `maxBytes`: refused before any of the body is read. */
export function isDeclaredOverCap(contentLength: string | null | undefined, maxBytes: number): boolean {
  return contentLength !== null && contentLength !== undefined && Number(contentLength) > maxBytes;
}

/**
 * Collect `chunks` until they pass `maxBytes`. Past the cap it stops pulling: leaving the loop returns the
 * iterator, which cancels a web stream and destroys a node request stream.
 */
export async function collectCapped(chunks: AsyncIterable<Uint8Array>, maxBytes: number): Promise<TBodyRead> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    size += chunk.byteLength;
    if (size > maxBytes) return { isWithinCap: false };
    parts.push(chunk);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.byteLength;
  }
  return { isWithinCap: true, bytes };
}

/** The chunks of a web stream; stopping early cancels the stream, so its source is not pulled any further. */
async function* streamChunks(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  let isDone = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        isDone = true;
        return;
      }
      yield value;
    }
  } finally {
    // Cancelling tells the source (the client's connection, or a test's endless stream) that nobody will read on.
    if (!isDone) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

/**
 * The body of a web Request under a byte cap. A declared Content-Length over the cap is refused before anything
 * is read; a body without one (chunked) is read only until it passes the cap. No body reads as empty.
 */
export async function readRequestBytes(req: Request, maxBytes: number): Promise<TBodyRead> {
  if (isDeclaredOverCap(req.headers.get("content-length"), maxBytes)) {
    await req.body?.cancel().catch(() => undefined);
    return { isWithinCap: false };
  }
  if (!req.body) return { isWithinCap: true, bytes: new Uint8Array(0) };
  return collectCapped(streamChunks(req.body), maxBytes);
}

/** {@link readRequestBytes}, decoded as UTF-8 (after the whole body is in, so multi-byte characters stay whole). */
export async function readRequestText(req: Request, maxBytes: number): Promise<TBodyTextRead> {
  const read = await readRequestBytes(req, maxBytes);
  return read.isWithinCap ? { isWithinCap: true, text: new TextDecoder().decode(read.bytes) } : read;
}
