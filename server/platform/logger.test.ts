import { describe, expect, it } from "vitest";
import { createLogger, prettyDestination } from "./logger.ts";

describe("logger", () => {
  it("writes one JSON object per line with ISO time, level, pid and message; secret-named fields are redacted", () => {
    const lines: string[] = [];
    const log = createLogger(
      { LOG_LEVEL: "info", LOG_FORMAT: "json" },
      { write: (s: string) => lines.push(s) },
    );
    log.info(
      {
        user: "erin",
        password: "hunter2",
        nested: { client_secret: "s3cret", refresh_token: "rt" },
        mfa: { binding_code: "123456", oob_code: "oob-secret" },
      },
      "hi",
    );
    log.debug("not at info level");
    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith("\n")).toBe(true);
    const rec = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(rec).toMatchObject({
      level: 30,
      msg: "hi",
      user: "erin",
      pid: process.pid,
      password: "[redacted]",
    });
    expect(rec.nested).toEqual({ client_secret: "[redacted]", refresh_token: "[redacted]" });
    // Every grant's secret parameters (server/oauth/grants/secret-params.ts), the out-of-band ones included.
    expect(rec.mfa).toEqual({ binding_code: "[redacted]", oob_code: "[redacted]" });
    expect(new Date(String(rec.time)).toISOString()).toBe(rec.time);
    expect(lines[0]).not.toMatch(/hunter2|s3cret/);
  });

  it("LOG_FORMAT=pretty prints the same record as one readable line", () => {
    const out: string[] = [];
    const log = createLogger(
      { LOG_LEVEL: "info", LOG_FORMAT: "pretty" },
      prettyDestination({ write: (s: string) => out.push(s) }),
    );
    log.warn({ status: 503, path: "/readyz" }, "not ready");
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} WARN {2}not ready status=503 path=\/readyz\n$/);
  });
});
