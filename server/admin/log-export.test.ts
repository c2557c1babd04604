import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDeps, testDatabaseKinds, type TTestDeps } from "../testing/test-deps.ts";
import { insertLog } from "../store/logs.ts";
import { exportLogsStream } from "./views.ts";
import { adminOf } from "../testing/admin-actors.ts";

const viewer = adminOf("viewer");

const T0 = Date.parse("2026-06-01T00:00:00Z");
const RECORDS = 2345;

async function readAll(stream: ReadableStream<Uint8Array>): Promise<{ text: string; chunks: number }> {
  const decoder = new TextDecoder();
  let text = "";
  let chunks = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks++;
    text += decoder.decode(value, { stream: true });
  }
  return { text: text + decoder.decode(), chunks };
}

describe.each(testDatabaseKinds())("log export stream (%s)", (kind) => {
  let deps: TTestDeps;
  beforeAll(async () => {
    deps = await createTestDeps(kind);
    // More records than one export page (1,000), one per second, every fifth a wrong password.
    await deps.db.transaction(async (q) => {
      for (let i = 0; i < RECORDS; i++) {
        await insertLog(
          q,
          {
            type: i % 5 === 0 ? "fp" : "sepft",
            user_name: i === 7 ? '=HYPERLINK("http://evil")' : `u${i}@example.com`,
            ip: "10.0.0.1",
          },
          new Date(T0 + i * 1000),
        );
      }
    });
  });
  afterAll(async () => deps.cleanup());

  it("streams every record, newest first, page by page, without gaps or repeats", async () => {
    const { text, chunks } = await readAll(exportLogsStream(deps, viewer, {}, "ndjson"));
    const lines = text.split("\n");
    expect(lines.pop()).toBe("");
    const rows = lines.map((l) => JSON.parse(l) as { log_id: string; date: string });
    expect(rows).toHaveLength(RECORDS);
    expect(new Set(rows.map((r) => r.log_id)).size).toBe(RECORDS);
    const dates = rows.map((r) => Date.parse(r.date));
    expect(dates[0]).toBe(T0 + (RECORDS - 1) * 1000);
    expect(dates.at(-1)).toBe(T0);
    expect(dates.every((d, i) => i === 0 || d < dates[i - 1]!)).toBe(true);
    // Sent as it is read: one chunk per page of 1,000, not one body.
    expect(chunks).toBe(3);
  });

  it("CSV has one header, applies the filter and the limit, and defuses formulas", async () => {
    const all = (await readAll(exportLogsStream(deps, viewer, { type: "fp" }, "csv"))).text.split("\r\n");
    expect(all.pop()).toBe("");
    expect(all[0]).toMatch(/^log_id,date,type,description/);
    expect(all.filter((l) => l.startsWith("log_id,"))).toHaveLength(1);
    expect(all).toHaveLength(1 + Math.ceil(RECORDS / 5));
    expect(all.slice(1).every((l) => l.includes('"fp"'))).toBe(true);

    const limited = (await readAll(exportLogsStream(deps, viewer, {}, "csv", 1500))).text.split("\r\n");
    expect(limited.pop()).toBe("");
    expect(limited).toHaveLength(1 + 1500);

    const withFormula = (await readAll(exportLogsStream(deps, viewer, {}, "csv"))).text;
    expect(withFormula).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(withFormula).not.toContain(`,"=HYPERLINK`);
  });

  it("an export with nothing to send is just the CSV header (or empty NDJSON)", async () => {
    const q = { ip: "192.0.2.99" };
    expect((await readAll(exportLogsStream(deps, viewer, q, "csv"))).text).toMatch(/^log_id,[^\n]*\r\n$/);
    expect((await readAll(exportLogsStream(deps, viewer, q, "ndjson"))).text).toBe("");
  });
});
