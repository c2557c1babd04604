import { z } from "zod";
import { isIpOrCidr } from "./ip-match.ts";
import { formatProblem, zodProblems } from "./zod-issues.ts";

const ZEnv = z.object({
  DATABASE_URL: z
    .string()
    .default("file:./data/portcullis.db")
    .refine((v) => v.startsWith("file:") || /^postgres(ql)?:\/\//.test(v), {
      message: "must be a file: SQLite URL or a postgres:// URL",
    }),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  PUBLIC_URL: z.string().url().optional(),
  /** 32-byte key, base64 or hex, that seals secrets at rest. Without it a key file under ./data is used. */
  PORTCULLIS_MASTER_KEY: z.string().optional(),
  PORTCULLIS_MASTER_KEY_FILE: z.string().default("../config/data/master.key"),
  ARGON2_MEMORY_KIB: z.coerce.number().int().min(7168).default(12288),
  ARGON2_ITERATIONS: z.coerce.number().int().min(1).default(3),
  ARGON2_PARALLELISM: z.coerce.number().int().min(1).max(16).default(1),
  /** First dashboard owner, created on a database without admins (a password is generated when unset). */
  ADMIN_EMAIL: z.string().email().optional(),
  ADMIN_PASSWORD: z.string().min(12).optional(),
  /** Bearer token for automation against the admin API (acts as owner). Unset: only dashboard sessions. */
  PORTCULLIS_ADMIN_API_TOKEN: z.string().min(32, "must be at least 32 characters").optional(),
  /** Require every dashboard admin to set up TOTP before using anything but their account screen. */
  ADMIN_REQUIRE_TOTP: z.enum(["true", "false"]).default("false"),
  /** Secret for dashboard session cookies; derived from the master key when unset. */
  NEXTAUTH_SECRET: z.string().min(32).optional(),
  /** Rules: wall-clock limit per rule and per login pipeline, heap limit per isolate. */
  RULES_RULE_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(3000),
  RULES_PIPELINE_TIMEOUT_MS: z.coerce.number().int().min(50).max(120_000).default(10_000),
  RULES_MEMORY_LIMIT_MB: z.coerce.number().int().min(8).max(256).default(32),
  /** Seed the demo tenant on first start (true by default for the embedded database). */
  PORTCULLIS_SEED_DEMO: z.enum(["true", "false"]).default("true"),
  // PostgreSQL: prepare each statement once per connection. "false" for poolers that cannot keep prepared
  // statements (PgBouncer in transaction mode before 1.21, or without max_prepared_statements).
  PG_PREPARED_STATEMENTS: z.enum(["true", "false"]).default("true"),
  /** Reverse proxies (IPs/CIDRs, comma-separated) whose X-Forwarded-For is believed. Nothing else is. */
  TRUSTED_PROXIES: z
    .string()
    .default("")
    .refine((v) => splitList(v).every(isIpOrCidr), { message: "must be comma-separated IPs or CIDR ranges" }),
  /** smtp(s)://user:pass@host:port: attack-protection notifications are mailed; unset, they stay in the outbox. */
  SMTP_URL: z
    .string()
    .refine((v) => /^smtps?:\/\//.test(v), { message: "must be an smtp:// or smtps:// URL" })
    .optional(),
  SMTP_FROM: z.string().min(3).default("Portcullis <no-reply@localhost>"),
  /** Recipient of admin notifications (suspicious IPs, breached passwords). */
  PORTCULLIS_ADMIN_EMAIL: z.string().email().optional(),
  /** A breached-password corpus converted by `portcullis breached-passwords convert`. */
  BREACHED_PASSWORDS_FILE: z.string().min(1).optional(),
  /** Operations (docs/operations.md): log level and format of the JSON log on stdout. */
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  LOG_FORMAT: z.enum(["json", "pretty"]).default("json"),
  /** Bearer token that unlocks GET /metrics. Unset: /metrics answers 404. */
  METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  /** client_credentials tokens each client may get per minute (a token bucket per client in the database). */
  CLIENT_CREDENTIALS_TOKENS_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(100),
  /**
   * Management API (`/api/v2`) requests each client may make per second, and the burst it may spend at once (a
   * token bucket per client in the database, like Auth0's per-tenant limits); past it: 429 with X-RateLimit-*.
   */
  MANAGEMENT_API_REQUESTS_PER_SECOND: z.coerce.number().int().min(1).max(100_000).default(15),
  MANAGEMENT_API_BURST: z.coerce.number().int().min(1).max(100_000).default(50),
  /** Audit records older than this many days are deleted (hourly, in small batches). Unset: kept forever. */
  AUDIT_RETENTION_DAYS: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z.coerce.number().int().min(1).max(36_500).optional(),
  ),
});

function splitList(v: string): string[] {
  return v
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

export type TEnv = Readonly<
  Omit<
    z.infer<typeof ZEnv>,
    | "PUBLIC_URL"
    | "PORTCULLIS_SEED_DEMO"
    | "ADMIN_REQUIRE_TOTP"
    | "TRUSTED_PROXIES"
    | "PG_PREPARED_STATEMENTS"
  > & {
    PUBLIC_URL: string;
    PG_PREPARED_STATEMENTS: boolean;
    TRUSTED_PROXIES: readonly string[];
    PORTCULLIS_SEED_DEMO: boolean;
    ADMIN_REQUIRE_TOTP: boolean;
    /** Issuer with trailing slash, Auth0 style: https://{domain}/ */
    issuer: string;
    databaseKind: "sqlite" | "postgres";
  }
>;

/** Parse and validate the environment once; throws a readable message listing every bad variable. */
export function parseEnv(source: Record<string, string | undefined> = process.env): TEnv {
  const parsed = ZEnv.safeParse(source);
  if (!parsed.success) {
    const lines = zodProblems(parsed.error).map((p) => `  ${formatProblem(p)}`);
    throw new Error(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  // OWASP's Argon2id table trades memory for passes; refuse anything below its weakest row (m=7168 KiB, t=5).
  if (e.ARGON2_MEMORY_KIB * e.ARGON2_ITERATIONS < 7168 * 5) {
    throw new Error(
      `Invalid configuration:\n  ARGON2_MEMORY_KIB × ARGON2_ITERATIONS must be at least 35840 (OWASP minimum), got ${e.ARGON2_MEMORY_KIB * e.ARGON2_ITERATIONS}`,
    );
  }
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, "");
  return Object.freeze({
    ...e,
    PUBLIC_URL: publicUrl,
    PORTCULLIS_SEED_DEMO: e.PORTCULLIS_SEED_DEMO === "true",
    ADMIN_REQUIRE_TOTP: e.ADMIN_REQUIRE_TOTP === "true",
    PG_PREPARED_STATEMENTS: e.PG_PREPARED_STATEMENTS === "true",
    TRUSTED_PROXIES: Object.freeze(splitList(e.TRUSTED_PROXIES)),
    issuer: `${publicUrl}/`,
    databaseKind: e.DATABASE_URL.startsWith("file:") ? ("sqlite" as const) : ("postgres" as const),
  });
}
