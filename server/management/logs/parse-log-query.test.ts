import { describe, expect, it } from "vitest";
import { LOG_QUERY_MAX_DEPTH, LogQueryError, parseLogQuery } from "./parse-log-query.ts";

const day = (d: string) => Date.parse(`${d}T00:00:00Z`);
const DAY = 86_400_000;

describe("parseLogQuery: what Auth0's log search accepts", () => {
  it.each([
    ["type:f", { kind: "term", field: "type", value: "f", match: "exact" }],
    ['user_id:"auth0|abc"', { kind: "term", field: "user_id", value: "auth0|abc", match: "exact" }],
    ["user_id:auth0\\|abc", { kind: "term", field: "user_id", value: "auth0|abc", match: "exact" }],
    [
      'description:"Wrong email or password."',
      { kind: "term", field: "description", value: "Wrong email or password.", match: "exact" },
    ],
    ["type:f*", { kind: "term", field: "type", value: "f", match: "prefix" }],
    ['user_name:"a*b"', { kind: "term", field: "user_name", value: "a*b", match: "exact" }],
    ["jane", { kind: "term", field: null, value: "jane", match: "exact" }],
    [
      "log_id:[900 TO 901}",
      {
        kind: "range",
        field: "log_id",
        lower: { value: "900", inclusive: true },
        upper: { value: "901", inclusive: false },
      },
    ],
    ["date:2026-01-05", { kind: "date", fromMs: day("2026-01-05"), beforeMs: day("2026-01-06") }],
    [
      "date:[2026-01-01 TO 2026-02-01]",
      { kind: "date", fromMs: day("2026-01-01"), beforeMs: day("2026-02-02") },
    ],
    [
      "date:{2026-01-01 TO 2026-02-01}",
      { kind: "date", fromMs: day("2026-01-02"), beforeMs: day("2026-02-01") },
    ],
    ["date:[* TO 2026-02-01}", { kind: "date", fromMs: null, beforeMs: day("2026-02-01") }],
    [
      "date:[2026-01-01T10:00:00Z TO *]",
      { kind: "date", fromMs: day("2026-01-01") + 10 * 3_600_000, beforeMs: null },
    ],
    [
      'date:"2026-01-01T10:00:00.500Z"',
      {
        kind: "date",
        fromMs: day("2026-01-01") + 36_000_500,
        beforeMs: day("2026-01-01") + 36_000_501,
      },
    ],
  ])("%s", (q, tree) => {
    expect(parseLogQuery(q)).toEqual(tree);
  });

  it("reads AND, OR, NOT, '-', implicit AND and parentheses with AND binding tighter than OR", () => {
    const t = (field: string, value: string) => ({ kind: "term", field, value, match: "exact" });
    expect(parseLogQuery("type:f OR type:s AND ip:1.2.3.4")).toEqual({
      kind: "or",
      items: [t("type", "f"), { kind: "and", items: [t("type", "s"), t("ip", "1.2.3.4")] }],
    });
    expect(parseLogQuery("(type:f OR type:s) client_id:c1")).toEqual({
      kind: "and",
      items: [{ kind: "or", items: [t("type", "f"), t("type", "s")] }, t("client_id", "c1")],
    });
    expect(parseLogQuery("NOT type:f")).toEqual({ kind: "not", item: t("type", "f") });
    expect(parseLogQuery("type:s -ip:10.0.0.1")).toEqual({
      kind: "and",
      items: [t("type", "s"), { kind: "not", item: t("ip", "10.0.0.1") }],
    });
    // A hyphen inside a value is part of it.
    expect(parseLogQuery("connection:Username-Password-Authentication")).toEqual(
      t("connection", "Username-Password-Authentication"),
    );
  });

  it("keeps SQL metacharacters, % and _ as plain value text (they are bound, never spliced)", () => {
    for (const v of ["x' OR '1'='1", "a%b_c", 'x"; DROP TABLE "LogEvent"; --', "a\\b"]) {
      const q = `user_name:"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`;
      expect(parseLogQuery(q)).toEqual({ kind: "term", field: "user_name", value: v, match: "exact" });
    }
  });

  it("treats an empty or blank q as no filter", () => {
    expect(parseLogQuery(undefined)).toBeNull();
    expect(parseLogQuery("")).toBeNull();
    expect(parseLogQuery("   ")).toBeNull();
  });
});

describe("parseLogQuery: what it refuses, with Auth0's 400", () => {
  it.each([
    ["user_email:a@b.c", 'unknown field "user_email"'],
    ["password:x", 'unknown field "password"'],
    ['"id"; DROP:x', 'unknown field "DROP"'],
    ["type:*f", "leading wildcards"],
    ["*", "leading wildcards"],
    ["user_name:?ane", "leading wildcards"],
    ["user_name:j?ne", "single-character wildcards"],
    ["user_name:j*ne", "only a trailing wildcard"],
    ["date:2026-01*", "wildcards are not supported on date"],
    ["date:yesterday", "is not a date"],
    ["date:[2026-01-01 TO soon]", "is not a date"],
    ["date:2026-13-45", "is not a date"],
    ["date:2026-01-01T10:00:00Z:x", "is not a date"],
    ['user_name:"open', "unterminated quoted phrase"],
    ["(type:f", 'missing ")"'],
    ["type:f)", 'unexpected ")"'],
    ["type:", "missing value"],
    ["type:f AND", "unexpected"],
    ["OR type:f", "unexpected"],
    ["log_id:[1 2]", "a range is written"],
    ["log_id:[1 TO 2", "unterminated range"],
    ['"type":f', "cannot be quoted"],
    ['user_name:""', "empty value"],
    ["user_name:a\u0000b", "NUL"],
    ["user_name:a\uD800b", "malformed Unicode"],
    ["user_name:\uDC00", "malformed Unicode"],
  ])("%j", (q, detail) => {
    let err: unknown;
    try {
      parseLogQuery(q);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LogQueryError);
    const e = err as LogQueryError;
    expect(e.statusCode).toBe(400);
    expect(e.errorCode).toBe("invalid_query_string");
    expect(e.message).toMatch(/^The search query string has an error: /);
    expect(e.message).toContain(detail);
  });

  it("refuses nesting deeper than the limit without overflowing the stack", () => {
    const deep = (n: number) => `${"(".repeat(n)}type:f${")".repeat(n)}`;
    expect(parseLogQuery(deep(LOG_QUERY_MAX_DEPTH - 1))).toMatchObject({ kind: "term" });
    expect(() => parseLogQuery(deep(LOG_QUERY_MAX_DEPTH + 5))).toThrow(/nesting deeper/);
    expect(() => parseLogQuery("NOT ".repeat(400) + "type:f")).toThrow(/nesting deeper/);
    expect(() => parseLogQuery("(".repeat(1000))).toThrow(LogQueryError);
  });

  it("refuses 10,000 characters and too many terms", () => {
    expect(() => parseLogQuery(`user_name:${"a".repeat(10_000)}`)).toThrow(/longer than 2048/);
    expect(() => parseLogQuery(Array.from({ length: 65 }, (_, i) => `ip:10.0.0.${i}`).join(" OR "))).toThrow(
      /more than 64 terms/,
    );
  });

  it("never throws anything but LogQueryError on random junk", () => {
    const alphabet = [
      '"',
      "(",
      ")",
      "[",
      "]",
      "{",
      "}",
      ":",
      "*",
      "?",
      "\\",
      "-",
      " ",
      "a",
      "TO",
      "AND",
      "OR",
      "NOT",
    ];
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < 2000; i++) {
      const q = Array.from(
        { length: 1 + Math.floor(rnd() * 12) },
        () => alphabet[Math.floor(rnd() * alphabet.length)],
      ).join("");
      try {
        parseLogQuery(q);
      } catch (e) {
        expect(e, q).toBeInstanceOf(LogQueryError);
      }
    }
  });
});

it("dates take whole UTC days", () => {
  const r = parseLogQuery("date:[2026-03-01 TO 2026-03-01]") as { fromMs: number; beforeMs: number };
  expect(r.beforeMs - r.fromMs).toBe(DAY);
});
