import fc from "fast-check";

// Shared pieces of the property-based (fast-check) tests: run parameters, hostile values, and the checks every
// OAuth-shaped answer must pass. Runs are reproducible: a fixed seed unless FUZZ_SEED is set; fast-check prints the
// seed and the counterexample's path when a property fails (pass them back as FUZZ_SEED / FUZZ_PATH).

/** fc.assert parameters: a fixed seed (FUZZ_SEED overrides) and `numRuns` (FUZZ_RUNS scales it). */
export function fuzzRuns(numRuns: number): fc.Parameters<unknown> {
  const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 0x5eed_c0de;
  const scale = process.env.FUZZ_RUNS_SCALE ? Number(process.env.FUZZ_RUNS_SCALE) : 1;
  return {
    seed,
    numRuns: Math.max(1, Math.round(numRuns * scale)),
    ...(process.env.FUZZ_PATH ? { path: process.env.FUZZ_PATH } : {}),
    // Each run talks to a database; shrinking a failure may take many more, so bound it.
    interruptAfterTimeLimit: 120_000,
  };
}

/** Values that have broken parsers and SQL drivers before: empty, NUL, lone surrogates, prototype keys, numbers. */
export const NASTY_STRINGS = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "\ud800",
  "\udfff",
  "%",
  "%E0%A4%A",
  "+",
  "&",
  "=",
  "null",
  "undefined",
  "true",
  "0",
  "-1",
  "1e309",
  "NaN",
  "__proto__",
  "constructor",
  "toString",
  "hasOwnProperty",
  "' OR '1'='1",
  '"; DROP TABLE "User"; --',
  "${7*7}",
  "../../etc/passwd",
  "\r\nSet-Cookie: x=1",
  "🔑🔑🔑",
  "ﬀ",
  "İ",
  "\u202e",
  "a".repeat(300),
] as const;

/** Any string: ASCII, full Unicode (graphemes and raw code points), a nasty one, or a large one. */
export function junkString(): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 20 }) },
    { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 20 }) },
    { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
    { weight: 1, arbitrary: fc.constantFrom(5_000, 70_000).map((n) => "x".repeat(n)) },
  );
}

/** Any JSON value: scalars, nested arrays and objects (including `__proto__` keys), huge numbers. */
export function junkJson(): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 3, arbitrary: junkString() },
    {
      weight: 2,
      arbitrary: fc.oneof(
        fc.integer(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.boolean(),
        fc.constant(null),
        fc.constant(Number.MAX_SAFE_INTEGER + 2),
      ),
    },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom<unknown>(
        [],
        {},
        [""],
        { __proto__: null, a: 1 },
        JSON.parse('{"__proto__":{"x":1}}'),
      ),
    },
  );
}

/** A JSON object with random keys (a few of them `keys`) and junk values. */
export function junkObject(keys: readonly string[] = []): fc.Arbitrary<Record<string, unknown>> {
  const key =
    keys.length > 0 ? fc.oneof(fc.constantFrom(...keys), fc.string({ maxLength: 12 })) : fc.string();
  // fromEntries makes own properties even for `__proto__`, as JSON.parse does.
  return fc.array(fc.tuple(key, junkJson()), { maxLength: 8 }).map((e) => Object.fromEntries(e));
}

let ipCounter = 0;

/**
 * A client address no earlier call returned (this process): IPv4 in 10/8, sometimes an IPv6 /64 of its own, so
 * per-IP counters never carry over from one run to the next.
 */
export function uniqueIp(isIpv6 = false): string {
  ipCounter += 1;
  const n = ipCounter;
  if (isIpv6) return `2001:db8:${(n >> 16).toString(16)}:${(n & 0xffff).toString(16)}::${(n % 250) + 1}`;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

/** Every `error` code the OAuth-shaped endpoints (token, MFA API, userinfo) may answer with. */
export const OAUTH_ERROR_CODES = new Set([
  "invalid_request",
  "invalid_client",
  "invalid_scope",
  "unsupported_grant_type",
  "invalid_grant",
  "unauthorized_client",
  "access_denied",
  "unauthorized",
  "invalid_token",
  "too_many_attempts",
  "password_leaked",
  "mfa_required",
  "expired_token",
  "unsupported_challenge_type",
  "association_required",
  "not_found",
]);

/** Fields that carry a credential; none may appear in a refusal. */
export const TOKEN_FIELDS = ["access_token", "id_token", "refresh_token"] as const;

export type TAnswer = { status: number; headers: Headers; text: string; body: unknown };

/** Read a Response whole; the body parsed as JSON when it is JSON, else null. */
export async function readAnswer(res: Response): Promise<TAnswer> {
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? (JSON.parse(text) as unknown) : null;
  } catch {
    body = null;
  }
  return { status: res.status, headers: res.headers, text, body };
}

/**
 * The answer of an OAuth-shaped endpoint is not a server failure, and a refusal is a JSON `{error,
 * error_description}` with a known code and no token in it. Throws (with the answer) otherwise.
 */
export function assertOAuthAnswer(a: TAnswer, what: string): void {
  const fail = (why: string) => {
    throw new Error(`${what}: ${why} (status ${a.status}, body ${a.text.slice(0, 300)})`);
  };
  if (a.status >= 500) fail("server error");
  if (a.status < 400) return;
  const b = a.body as Record<string, unknown> | null;
  if (!b || typeof b !== "object" || Array.isArray(b)) return fail("refusal is not a JSON object");
  if (typeof b.error !== "string" || !OAUTH_ERROR_CODES.has(b.error))
    fail(`unknown error code ${String(b.error)}`);
  if (typeof b.error_description !== "string") fail("refusal without error_description");
  for (const k of TOKEN_FIELDS) if (k in b) fail(`refusal carries ${k}`);
  if (!(a.headers.get("content-type") ?? "").startsWith("application/json"))
    fail("refusal is not application/json");
}

const outcomes = new Map<string, number>();

/** Count an outcome class (status, error code, oracle verdict); FUZZ_STATS=1 prints the table after the file. */
export function noteOutcome(key: string): void {
  outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
}

/** For afterAll: print what the runs exercised, so a property that only ever sees one refusal is noticed. */
export function printOutcomes(): void {
  if (process.env.FUZZ_STATS)
    console.log(
      [...outcomes]
        .sort()
        .map(([k, n]) => `${String(n).padStart(6)}  ${k}`)
        .join("\n"),
    );
}
