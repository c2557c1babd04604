import { describe, expect, it } from "vitest";
import { parseEnv } from "./env.ts";

describe("parseEnv", () => {
  it("defaults to an embedded SQLite database under ./data and an Auth0-style issuer", () => {
    const env = parseEnv({});
    expect(env.DATABASE_URL).toBe("file:./data/portcullis.db");
    expect(env.databaseKind).toBe("sqlite");
    expect(env.issuer).toBe("http://localhost:3000/");
  });

  it("derives the issuer with exactly one trailing slash from PUBLIC_URL", () => {
    expect(parseEnv({ PUBLIC_URL: "https://auth.example.com/" }).issuer).toBe("https://auth.example.com/");
    expect(parseEnv({ PUBLIC_URL: "https://auth.example.com" }).issuer).toBe("https://auth.example.com/");
  });

  it("selects PostgreSQL from a postgres URL", () => {
    expect(parseEnv({ DATABASE_URL: "postgres://u@h/db" }).databaseKind).toBe("postgres");
  });

  it("prepares PostgreSQL statements unless PG_PREPARED_STATEMENTS=false, and refuses other values", () => {
    expect(parseEnv({ DATABASE_URL: "postgres://u@h/db" }).PG_PREPARED_STATEMENTS).toBe(true);
    expect(parseEnv({ PG_PREPARED_STATEMENTS: "false" }).PG_PREPARED_STATEMENTS).toBe(false);
    expect(() => parseEnv({ PG_PREPARED_STATEMENTS: "no" })).toThrow(/PG_PREPARED_STATEMENTS/);
  });

  it("reports every invalid variable by name", () => {
    expect(() => parseEnv({ DATABASE_URL: "mysql://x", PORT: "abc" })).toThrow(
      /DATABASE_URL[\s\S]*PORT|PORT[\s\S]*DATABASE_URL/,
    );
  });

  it("refuses Argon2 parameters below OWASP's minimum", () => {
    expect(() => parseEnv({ ARGON2_MEMORY_KIB: "7168", ARGON2_ITERATIONS: "2" })).toThrow(/OWASP/);
    expect(parseEnv({ ARGON2_MEMORY_KIB: "7168", ARGON2_ITERATIONS: "5" }).ARGON2_ITERATIONS).toBe(5);
  });

  it("parses the operations settings: log level and format, metrics token, audit retention", () => {
    const defaults = parseEnv({});
    expect([
      defaults.LOG_LEVEL,
      defaults.LOG_FORMAT,
      defaults.METRICS_TOKEN,
      defaults.AUDIT_RETENTION_DAYS,
    ]).toEqual(["info", "json", undefined, undefined]);
    const set = parseEnv({
      LOG_LEVEL: "warn",
      LOG_FORMAT: "pretty",
      AUDIT_RETENTION_DAYS: "90",
      METRICS_TOKEN: "m".repeat(16),
    });
    expect([set.LOG_LEVEL, set.LOG_FORMAT, set.AUDIT_RETENTION_DAYS]).toEqual(["warn", "pretty", 90]);
    expect(parseEnv({ AUDIT_RETENTION_DAYS: "" }).AUDIT_RETENTION_DAYS).toBeUndefined();
    expect(() => parseEnv({ AUDIT_RETENTION_DAYS: "0" })).toThrow(/AUDIT_RETENTION_DAYS/);
    expect(() => parseEnv({ AUDIT_RETENTION_DAYS: "1.5" })).toThrow(/AUDIT_RETENTION_DAYS/);
    expect(() => parseEnv({ METRICS_TOKEN: "short" })).toThrow(/METRICS_TOKEN: must be at least 16/);
    expect(() => parseEnv({ LOG_LEVEL: "verbose" })).toThrow(/LOG_LEVEL/);
    expect(() => parseEnv({ LOG_FORMAT: "xml" })).toThrow(/LOG_FORMAT/);
  });
});
