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

  it("reports every invalid variable by name", () => {
    expect(() => parseEnv({ DATABASE_URL: "mysql://x", PORT: "abc" })).toThrow(
      /DATABASE_URL[\s\S]*PORT|PORT[\s\S]*DATABASE_URL/,
    );
  });

  it("refuses Argon2 parameters below OWASP's minimum", () => {
    expect(() => parseEnv({ ARGON2_MEMORY_KIB: "7168", ARGON2_ITERATIONS: "2" })).toThrow(/OWASP/);
    expect(parseEnv({ ARGON2_MEMORY_KIB: "7168", ARGON2_ITERATIONS: "5" }).ARGON2_ITERATIONS).toBe(5);
  });
});
