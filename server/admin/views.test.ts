import { describe, expect, it } from "vitest";
import { formatLogs, parseLogQuery } from "./views.ts";
import type { TLogRecord } from "../store/logs.ts";

const row: TLogRecord = {
  log_id: "1",
  date: "2026-01-01T00:00:00.000Z",
  type: "fp",
  description: 'Wrong "email"',
  user_name: '=HYPERLINK("x")',
};

describe("log export formats", () => {
  it("CSV quotes every cell, doubles quotes and defuses spreadsheet formulas", () => {
    const csv = formatLogs([row], "csv");
    const [header, line] = csv.split("\r\n");
    expect(header).toMatch(/^log_id,date,type,description/);
    expect(line).toContain('"Wrong ""email"""');
    expect(line).toContain(`"'=HYPERLINK(""x"")"`);
  });
  it("NDJSON is one JSON object per line", () => {
    const text = formatLogs([row, { ...row, log_id: "2" }], "ndjson");
    expect(
      text
        .trim()
        .split("\n")
        .map((l) => (JSON.parse(l) as TLogRecord).log_id),
    ).toEqual(["1", "2"]);
  });
});

describe("parseLogQuery", () => {
  it("keeps known filters, drops empty and malformed ones", () => {
    const { filter, before } = parseLogQuery({
      type: "fp",
      ip: " 1.2.3.4 ",
      from: "not a date",
      to: "2026-01-02",
      user: "",
      before: "90abc",
    });
    expect(filter).toEqual({
      type: "fp",
      ip: "1.2.3.4",
      user: undefined,
      clientId: undefined,
      connection: undefined,
      from: undefined,
      to: new Date("2026-01-02"),
    });
    expect(before).toBe("90abc");
  });
});
