// The lockout explainer's answer (GET /api/admin/users/{id}/lockout) and the plain sentences the user screen shows
// for it. Browser-safe (eslint.layers.mjs): the dashboard renders it, so this file imports nothing and keeps the
// JSON types here, next to the words that explain them.

export type TLockoutState = "clear" | "blocked" | "at-risk";

export type TLockoutCauseKind =
  "brute-force" | "ip-throttle" | "admin-block" | "breached-password" | "mfa-throttle";

/** The role actions a lift needs (a subset of server/admin/roles.ts TAction, spelled out: this file imports nothing). */
export type TLockoutAction =
  "protection:unblock" | "users:block" | "users:write" | "mfa:reset" | "config:write";

/** The admin API call that takes an admin lift (paths under /api/admin, already percent-encoded). */
export type TLockoutRequest = {
  method: "POST" | "PATCH" | "DELETE";
  path: string;
  body?: Record<string, unknown>;
};

/** One way a cause ends. `action` is the role action an admin needs for it; null when no admin takes it. */
export type TLockoutLift =
  | { kind: "admin-unblock"; action: "protection:unblock"; identifier: string; request: TLockoutRequest }
  | { kind: "admin-unblock-ip"; action: "protection:unblock"; ip: string; request: TLockoutRequest }
  | { kind: "admin-unblock-user"; action: "users:block"; request: TLockoutRequest }
  /** The user resets the password (forgot-password mail, or a reset link an admin creates with `request`). */
  | { kind: "password-reset"; action: "users:write"; request: TLockoutRequest }
  | { kind: "admin-set-password"; action: "users:write"; request: TLockoutRequest }
  | { kind: "mfa-reset"; action: "mfa:reset"; request: TLockoutRequest }
  | { kind: "raise-threshold"; action: "config:write"; request: TLockoutRequest }
  /** The user presses the button behind the unblock link mailed for this block (`to` is masked). */
  | {
      kind: "unblock-link";
      action: null;
      sent_at: string;
      to: string;
      status: "outbox" | "pending" | "sent";
      expires_at: string;
    }
  | { kind: "successful-login"; action: null }
  | { kind: "time"; action: null; at: string };

export type TLockoutCause = {
  kind: TLockoutCauseKind;
  /** `blocked`: sign-in (or the MFA code) is refused now; `at-risk`: counting towards a block, not there yet. */
  state: "blocked" | "at-risk";
  /** What is counted: an IPv4 address or an IPv6 network (`2001:db8::/64`). Absent for account lockout. */
  ip?: string;
  /** The addresses the user's records came from within `ip` (or from anywhere, for account lockout). */
  addresses?: string[];
  /** The brute-force counter's identifier (normalized) and connection. */
  identifier?: string;
  connection?: string;
  mode?: "count_per_identifier_and_ip" | "count_per_identifier";
  count?: number;
  threshold?: number;
  first_failed_at?: string;
  last_failed_at?: string;
  /** Admin block: who set it (an admin's email or a Management API client's name), when known. */
  by?: string | null;
  since: string;
  /** When it ends by itself; null when it does not. */
  until: string | null;
  /** Ids of the log records that caused it (oldest first), each at /admin/logs/{id}. */
  records: string[];
  lifts: TLockoutLift[];
};

export type TLockoutExplanation = { state: TLockoutState; causes: TLockoutCause[] };

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** `2026-12-06 14:02 UTC`: the same text on the server and in any browser (no time zone or locale). */
export function utcTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** `5 minutes ago`, `in 3 hours`, `just now`. */
export function relativeTime(iso: string, now: Date): string {
  const delta = new Date(iso).getTime() - now.getTime();
  const abs = Math.abs(delta);
  if (abs < MINUTE) return "just now";
  const [n, unit] =
    abs < HOUR
      ? [Math.round(abs / MINUTE), "minute"]
      : abs < DAY
        ? [Math.round(abs / HOUR), "hour"]
        : [Math.round(abs / DAY), "day"];
  const text = `${n} ${unit}${n === 1 ? "" : "s"}`;
  return delta < 0 ? `${text} ago` : `in ${text}`;
}

/** An absolute UTC time with the relative one: `2026-12-06 14:02 UTC (5 minutes ago)`. */
export function when(iso: string, now: Date): string {
  return `${utcTime(iso)} (${relativeTime(iso, now)})`;
}

/**
 * When a log record was written, read from its id (ids begin with "90" and the 15-digit millisecond time), as
 * `2026-12-06 14:02:05 UTC`; null for an id of another shape.
 */
export function recordTime(logId: string): string | null {
  const m = /^90(\d{15})/.exec(logId);
  if (!m) return null;
  const iso = new Date(Number(m[1])).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

function joinOr(parts: string[]): string {
  if (parts.length <= 1) return parts[0] ?? "";
  return `${parts.slice(0, -1).join(", ")} or ${parts.at(-1)}`;
}

function liftPhrase(lift: TLockoutLift, now: Date): string | null {
  switch (lift.kind) {
    case "admin-unblock":
      return "an admin unblocks";
    case "admin-unblock-ip":
      return "an admin unblocks the IP";
    case "admin-unblock-user":
      return "an admin unblocks the user";
    case "password-reset":
      return "the user resets the password";
    case "admin-set-password":
      return "an admin sets a new password";
    case "mfa-reset":
      return "an admin resets MFA";
    case "raise-threshold":
      // Changes the policy for everyone: listed in the JSON, too broad to suggest in a sentence.
      return null;
    case "unblock-link":
      return lift.status === "outbox"
        ? `the user follows the link written to the outbox at ${when(lift.sent_at, now)} (no mail server is set up, so it was not mailed)`
        : `the user follows the link sent to ${lift.to} at ${when(lift.sent_at, now)}`;
    case "successful-login":
      return "the user signs in successfully";
    case "time":
      return `by itself at ${when(lift.at, now)}`;
  }
}

/** "lifts when an admin unblocks, the user resets the password or by itself at …". */
export function describeLifts(lifts: TLockoutLift[], now: Date, verb = "lifts"): string {
  const phrases = lifts.map((l) => liftPhrase(l, now)).filter((p): p is string => p !== null);
  return phrases.length === 0 ? "" : `; ${verb} when ${joinOr(phrases)}`;
}

function fromWhere(c: TLockoutCause): string {
  const seen = c.addresses ?? [];
  if (!c.ip)
    return seen.length > 0 ? `from any IP (account lockout; seen: ${seen.join(", ")})` : "from any IP";
  // An IPv6 block is a whole network: name it and the addresses the attempts came from.
  if (c.ip.includes("/") && seen.length > 0) return `from the network ${c.ip} (addresses ${seen.join(", ")})`;
  return `from ${c.ip}`;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** One plain sentence for a cause. */
export function describeCause(c: TLockoutCause, now: Date): string {
  const count = c.count ?? 0;
  const threshold = c.threshold ?? 0;
  switch (c.kind) {
    case "brute-force":
      if (c.state === "blocked")
        return `Blocked since ${when(c.since, now)} ${fromWhere(c)} after ${plural(count, "wrong password", "wrong passwords")} (threshold ${threshold})${describeLifts(c.lifts, now)}.`;
      return `${count} of ${threshold} wrong passwords ${fromWhere(c)} since ${when(c.since, now)}; at ${threshold} sign-in ${c.ip ? "from there" : "from anywhere"} is blocked${describeLifts(c.lifts, now, "the count resets")}.`;
    case "ip-throttle":
      if (c.state === "blocked")
        return `Sign-ins ${fromWhere(c)} are throttled since ${when(c.since, now)}: its failed sign-ins (of every user) used up its budget of ${threshold}${describeLifts(c.lifts, now)}.`;
      return `${fromWhere(c).replace(/^from /, "")} has used ${count} of its ${threshold} failed sign-ins (of every user); it is throttled when none are left${describeLifts(c.lifts, now, "the budget refills")}.`;
    case "admin-block":
      return `Blocked by ${c.by ?? "an admin"} since ${when(c.since, now)}${describeLifts(c.lifts, now)}.`;
    case "breached-password":
      if (c.state === "blocked")
        return `Sign-in refused since ${when(c.since, now)}: the password was found in a data breach${describeLifts(c.lifts, now)}.`;
      return `The password was found in a data breach at ${when(c.since, now)}; sign-in is not refused for it now (breached-password detection does not block), but it should be changed${describeLifts(c.lifts, now, "this ends")}.`;
    case "mfa-throttle":
      if (c.state === "blocked")
        return `MFA codes refused after ${plural(count, "wrong code", "wrong codes")} (limit ${threshold})${describeLifts(c.lifts, now)}.`;
      return `${count} of ${threshold} wrong MFA codes recently; at ${threshold} codes are refused for a while${describeLifts(c.lifts, now, "the count drains")}.`;
  }
}

/** The headline of the whole answer. */
export function describeState(state: TLockoutState): string {
  switch (state) {
    case "clear":
      return "Nothing stops this user from signing in.";
    case "blocked":
      return "This user cannot sign in now.";
    case "at-risk":
      return "This user can sign in, but is counting towards a block.";
  }
}
