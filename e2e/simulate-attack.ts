import { expect, type APIRequestContext } from "@playwright/test";

// A morning under attack, played over HTTP against the e2e tenant so the dashboard (and docs/screenshots) show what
// a security team would see. Every request is a real password grant through the "E2E Login Gateway" client of
// e2e/fixtures/tenant.yaml, which is trusted to name the end user's IP in `auth0-forwarded-for` (everything else
// in the e2e server comes from 127.0.0.1). Addresses are from the documentation ranges (RFC 5737, RFC 3849).
// The tenant keeps Auth0's default thresholds (10 failures per identifier and IP, 100 failures per IP bucket);
// the whole run takes a few seconds, so nothing is lowered.

/** The gateway client of e2e/fixtures/tenant.yaml, as /oauth/token form fields. */
export const GATEWAY = {
  client_id: "e2e-login-gateway",
  client_secret: "e2e-login-gateway-secret-0123456789abcdef0123456789abcd",
};

/** Users of e2e/fixtures/users.json that the simulation signs in as (real passwords) or attacks. */
export const PEOPLE = {
  ana: { email: "ana.lima@example.com", password: "Lisbon-Tram-28-Yellow", home: "192.0.2.10" },
  ben: { email: "ben.okafor@example.com", password: "Lagos-Ferry-Morning-9", home: "203.0.113.66" },
  chloe: { email: "chloe.martin@example.com", password: "Lyon-Traboule-Silk-44", home: "2001:db8:42::7" },
  dmitri: { email: "dmitri.ivanov@example.com", password: "Neva-Bridges-Open-3am", home: "192.0.2.31" },
  emma: { email: "emma.schulz@example.com", password: "Isar-Surfers-Winter-7", home: "192.0.2.44" },
  farid: { email: "farid.haddad@example.com", password: "Byblos-Harbour-Cedar-5", home: "2001:db8:42::19" },
  grace: { email: "grace.kim@example.com", password: "trustno1", home: "192.0.2.57" },
  hugo: { email: "hugo.bernard@example.com", password: "football", home: "192.0.2.58" },
  payroll: { email: "payroll@example.com", password: "Quarterly-Close-Ledger-12", home: "192.0.2.70" },
} as const;

/** The /64 whose rotating addresses lock one account. */
export const IPV6_ATTACK_NETWORK = "2001:db8:7:1::/64";
/** The office NAT (Ben's) that a stuffing run drains into suspicious-IP throttling. */
export const THROTTLED_IP = PEOPLE.ben.home;
/** Accounts each locked from one IPv4 address by repeated wrong passwords. */
export const BRUTE_FORCED = [
  { who: PEOPLE.dmitri, ip: "198.51.100.200" },
  { who: PEOPLE.emma, ip: "203.0.113.7" },
  { who: PEOPLE.farid, ip: "198.51.100.201" },
] as const;

export type TAttackSummary = {
  requests: number;
  ms: number;
  /** Answers by kind: ok, wrong_password (403), brute_force (429), ip_throttle (429), breached (401). */
  outcomes: Record<TOutcome, number>;
  sprayIps: number;
  ipv6Addresses: number;
  lockedEmails: string[];
  throttledIp: string;
  breachedEmails: string[];
};

type TOutcome = "ok" | "wrong_password" | "brute_force" | "ip_throttle" | "breached" | "other";
type TLogin = { username: string; password: string; ip: string };

/** Requests in flight: a failure's answer is padded by sleeping (timing equalisation), so width is cheap. */
const WIDTH = 16;

const SPRAY_TARGETS = [
  "admin@example.com",
  "payroll@example.com",
  "ana.lima@example.com",
  "it@example.com",
  "finance@example.com",
  "ben.okafor@example.com",
  "support@example.com",
  "hr@example.com",
  "chloe.martin@example.com",
  "test@example.com",
  "sales@example.com",
];
const SPRAY_PASSWORDS = ["Winter2026!", "Welcome1!", "Password123", "Company2026", "Qwerty123!"];
const FIRST = [
  "james",
  "maria",
  "wei",
  "olga",
  "lucia",
  "kenji",
  "amir",
  "nina",
  "tom",
  "sara",
  "ivan",
  "aisha",
  "li",
];
const LAST = ["smith", "garcia", "chen", "novak"];

/** A deterministic stream of 16-bit groups, so every run photographs the same addresses. */
function groups(seed: number): () => string {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return ((s >> 8) & 0xffff).toString(16);
  };
}

function classify(status: number, body: { error?: string; error_description?: string }): TOutcome {
  if (status === 200) return "ok";
  if (status === 403 && body.error === "invalid_grant") return "wrong_password";
  if (status === 401 && body.error === "password_leaked") return "breached";
  if (status === 429 && body.error === "too_many_attempts")
    return /suspicious/i.test(body.error_description ?? "") ? "ip_throttle" : "brute_force";
  return "other";
}

/** Run `tasks` with at most `width` in flight (the server hashes on 2 cores; more only queues). */
async function pool<T>(tasks: (() => Promise<T>)[], width: number): Promise<T[]> {
  const out: T[] = new Array<T>(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < tasks.length) {
        const i = next++;
        out[i] = await tasks[i]!();
      }
    }),
  );
  return out;
}

/** Mix `good` logins evenly into `attack`, as ordinary users keep signing in during an attack. */
function interleave<T>(attack: T[], good: T[]): T[] {
  const every = Math.max(1, Math.floor(attack.length / (good.length + 1)));
  const out: T[] = [];
  attack.forEach((a, i) => {
    out.push(a);
    if ((i + 1) % every === 0 && good.length > 0) out.push(good.shift()!);
  });
  return [...out, ...good];
}

/**
 * Play the attack against the e2e server. `admin` is a request context signed in as an owner (it turns on
 * breached-password detection with its shields, which the fixture leaves off so other specs' passwords are not
 * judged). Asserts each phase reached its state (locks, throttle, breach holds) and returns what was sent.
 */
export async function simulateAttack(
  request: APIRequestContext,
  admin: APIRequestContext,
): Promise<TAttackSummary> {
  const started = Date.now();
  const outcomes: Record<TOutcome, number> = {
    ok: 0,
    wrong_password: 0,
    brute_force: 0,
    ip_throttle: 0,
    breached: 0,
    other: 0,
  };
  const login = async (l: TLogin): Promise<TOutcome> => {
    const res = await request.post("/oauth/token", {
      form: { grant_type: "password", ...GATEWAY, username: l.username, password: l.password },
      headers: { "auth0-forwarded-for": l.ip },
    });
    const outcome = classify(
      res.status(),
      (await res.json()) as { error?: string; error_description?: string },
    );
    outcomes[outcome]++;
    if (outcome === "other")
      throw new Error(`unexpected answer ${res.status()} for ${l.username} from ${l.ip}`);
    return outcome;
  };
  const good = (p: { email: string; password: string; home: string }, ip: string = p.home): TLogin => ({
    username: p.email,
    password: p.password,
    ip,
  });

  const breached = await admin.patch("/api/admin/attack-protection/breached-password-detection", {
    data: { enabled: true, shields: ["block", "user_notification", "admin_notification"] },
  });
  expect(breached.status()).toBe(200);
  const bruteForce = (await (
    await admin.get("/api/admin/attack-protection/brute-force-protection")
  ).json()) as {
    max_attempts: number;
  };
  const maxAttempts = bruteForce.max_attempts;

  // 1. The day starts: people sign in from home and office.
  const everyone = Object.values(PEOPLE).filter((p) => p !== PEOPLE.grace && p !== PEOPLE.hugo);
  for (const p of everyone) expect(await login(good(p))).toBe("ok");

  // 2. A password spray: 44 addresses, two accounts each, one season-and-year password per address. No pair of
  // identifier and IP comes near a threshold, which is the point of a spray; real users keep signing in.
  const sprayIps = [
    ...Array.from({ length: 22 }, (_, i) => `198.51.100.${10 + i}`),
    ...Array.from({ length: 22 }, (_, i) => `203.0.113.${100 + i}`),
  ];
  const spray: TLogin[] = sprayIps.flatMap((ip, i) =>
    [0, 1].map((k) => ({
      username: SPRAY_TARGETS[(i * 2 + k) % SPRAY_TARGETS.length]!,
      password: SPRAY_PASSWORDS[i % SPRAY_PASSWORDS.length]!,
      ip,
    })),
  );
  const during = [
    good(PEOPLE.ana),
    good(PEOPLE.payroll),
    good(PEOPLE.ana, "2001:db8:42::5"),
    good(PEOPLE.dmitri),
    good(PEOPLE.emma),
    good(PEOPLE.payroll, "192.0.2.71"),
  ];
  const sprayed = await pool(
    interleave(spray, during).map((l) => () => login(l)),
    WIDTH,
  );
  expect(sprayed.filter((o) => o === "wrong_password")).toHaveLength(spray.length);

  // Then three attacks at once (each one's attempts in order, so its last answers are the refusals).
  // 3. One account from one /64: every attempt from a new address, which per-address counting would never stop.
  const next = groups(19);
  const ipv6 = Array.from(
    { length: maxAttempts + 3 },
    () => `2001:db8:7:1:${next()}:${next()}:${next()}:${next()}`,
  );
  const fromNetwork = async () => {
    const tries: TOutcome[] = [];
    for (const [i, ip] of ipv6.entries())
      tries.push(
        await login({ username: PEOPLE.chloe.email, password: `${SPRAY_PASSWORDS[i % 5]}${i}`, ip }),
      );
    return tries;
  };
  // 4. Accounts guessed at from one address each until they lock; two more tries each are refused.
  const fromOneIp = async (email: string, ip: string) => {
    const tries: TOutcome[] = [];
    for (let i = 0; i < maxAttempts + 2; i++)
      tries.push(await login({ username: email, password: `guess-${i}`, ip }));
    return tries;
  };
  // 5. Credential stuffing from Ben's office NAT: one try per leaked address until the IP's bucket is empty.
  const throttle = (await (
    await admin.get("/api/admin/attack-protection/suspicious-ip-throttling")
  ).json()) as {
    stage: { "pre-login": { max_attempts: number } };
  };
  const leaked = FIRST.flatMap((f) => LAST.map((l) => `${f}.${l}@example.com`));
  const stuffing: TLogin[] = Array.from({ length: throttle.stage["pre-login"].max_attempts + 6 }, (_, i) => ({
    username: leaked[i % leaked.length]!,
    password: `Leaked-${i}!`,
    ip: THROTTLED_IP,
  }));
  const [v6, stuffed, ...locked] = await Promise.all([
    fromNetwork(),
    pool(
      stuffing.map((l) => () => login(l)),
      WIDTH,
    ),
    ...BRUTE_FORCED.map((b) => fromOneIp(b.who.email, b.ip)),
  ]);
  expect(v6.slice(0, maxAttempts).every((o) => o === "wrong_password")).toBe(true);
  expect(v6.slice(maxAttempts).every((o) => o === "brute_force")).toBe(true);
  for (const tries of locked) expect(tries.at(-1)).toBe("brute_force");
  expect(stuffed.filter((o) => o === "ip_throttle").length).toBeGreaterThan(0);
  // Chloé herself, from home (another network), is not affected; Ben, who signed in from the office this morning,
  // is now refused there: the throttle is per IP.
  expect(await login(good(PEOPLE.chloe))).toBe("ok");
  expect(await login(good(PEOPLE.ben))).toBe("ip_throttle");

  // 6. Breached passwords: the right password, but one on the common-passwords list. Held until it changes.
  const heldFrom = ["192.0.2.57", "198.51.100.90", "192.0.2.58"];
  expect(await login(good(PEOPLE.grace, heldFrom[0]))).toBe("breached");
  expect(await login(good(PEOPLE.grace, heldFrom[1]))).toBe("breached");
  expect(await login(good(PEOPLE.hugo, heldFrom[2]))).toBe("breached");

  // 7. The afternoon: ordinary sign-ins again.
  for (const l of [good(PEOPLE.ana), good(PEOPLE.payroll), good(PEOPLE.chloe), good(PEOPLE.farid)])
    expect(await login(l)).toBe("ok");

  return {
    requests: Object.values(outcomes).reduce((a, b) => a + b, 0),
    ms: Date.now() - started,
    outcomes,
    sprayIps: sprayIps.length,
    ipv6Addresses: ipv6.length,
    lockedEmails: [PEOPLE.chloe.email, ...BRUTE_FORCED.map((b) => b.who.email)],
    throttledIp: THROTTLED_IP,
    breachedEmails: [PEOPLE.grace.email, PEOPLE.hugo.email],
  };
}
