import { describe, expect, it } from "vitest";
import { collectCapped, readRequestBytes, readRequestText } from "./read-body.ts";
import { endlessRequest, maxPulledFor } from "../testing/endless-body.ts";

const URL_ = "https://portcullis.test/x";

describe("readRequestBytes", () => {
  it("stops pulling a chunked body without Content-Length once it passes the cap, and cancels it", async () => {
    const { req, state } = endlessRequest(URL_);
    expect(req.headers.get("content-length")).toBeNull();
    expect(await readRequestBytes(req, 100_000)).toEqual({ isWithinCap: false });
    expect(state.pulled).toBeGreaterThan(100_000);
    expect(state.pulled).toBeLessThanOrEqual(maxPulledFor(100_000));
    expect(state.isCancelled).toBe(true);
  });

  it("refuses a declared Content-Length over the cap without reading any of the body", async () => {
    const { req, state } = endlessRequest(URL_, { "content-length": "5000000" });
    expect(await readRequestBytes(req, 100_000)).toEqual({ isWithinCap: false });
    expect(state.pulled).toBe(0);
  });

  it("reads a body within the cap exactly, and no body as empty", async () => {
    const body = "a".repeat(1000);
    const ok = await readRequestText(new Request(URL_, { method: "POST", body }), 1000);
    expect(ok).toEqual({ isWithinCap: true, text: body });
    expect(await readRequestText(new Request(URL_, { method: "POST", body: body + "b" }), 1000)).toEqual({
      isWithinCap: false,
    });
    expect(await readRequestText(new Request(URL_), 10)).toEqual({ isWithinCap: true, text: "" });
  });

  it("decodes multi-byte characters split across chunks", async () => {
    const bytes = new TextEncoder().encode("é€😀");
    async function* oneByteAtATime() {
      for (const b of bytes) yield new Uint8Array([b]);
    }
    const read = await collectCapped(oneByteAtATime(), 100);
    expect(read.isWithinCap && new TextDecoder().decode(read.bytes)).toBe("é€😀");
  });
});
