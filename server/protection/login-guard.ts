import type { TDeps } from "../config/deps.ts";
import type { TLogEvent } from "../audit/events.ts";
import { insertLog } from "../store/logs.ts";
import { findFailureAndIpBucket, loginFailureKey } from "../store/login-failures.ts";
import { markPasswordLeaked } from "../store/user-passwords.ts";
import type { TSqlWriter } from "../store/raw-sql.ts";
import type { TUserRecord } from "../store/users.ts";
import {
  blockCheckKey,
  isBlockingRow,
  takeLoginAttempt,
  recordFailedAttempt,
  resetAfterSuccess,
  BLOCK_LIFETIME_MS,
} from "./brute-force.ts";
import {
  decideIpPeek,
  ipBucketKey,
  isIpCounted,
  refundIp,
  refuseIpAttempt,
  takeIpAttempt,
  type TIpPeek,
} from "./ip-throttle.ts";
import { UNBLOCK_LINK_TTL_MS } from "./unblock-link.ts";
import type { TAttackProtectionPolicies } from "./policies.ts";
import { errorMessage } from "../platform/logger.ts";

// Attack protection around one password check, composed from the brute-force, IP-throttle and breached-password
// modules in the order performance.md recommends: IP throttle → identifier lockout → (user lookup → hash, done
// by the grant). The outcomes are values; the grant maps them to OAuth errors.

const HOUR_MS = 3600 * 1000;

/** Audit fields of the request (client, connection, IPs, user agent) that protection records repeat. */
export type TLogBase = Omit<TLogEvent, "type" | "description" | "details">;

export type TLoginAttempt = {
  connectionId: string;
  identifier: string;
  /** End-user IP (socket, trusted proxy or trusted auth0-forwarded-for). Counters use its key (ip-key.ts). */
  ip: string;
  now: Date;
  logBase: () => TLogBase;
};

export type TAdmittedLogin = {
  /** The password was wrong (or the user unknown): keep the counts, start a block at the threshold. */
  onFailure(user: TUserRecord | null): Promise<void>;
  /** With the successful login's writes: reset the identifier's counters, give back the IP's attempt. */
  onSuccess(q: TSqlWriter): Promise<void>;
};

export type TAdmission =
  | { kind: "admitted"; login: TAdmittedLogin }
  | { kind: "ip_throttled" }
  | { kind: "identifier_blocked" }
  /** The store could not answer: refuse the login (fail closed). */
  | { kind: "unavailable"; cause: unknown };

async function writeLog(deps: TDeps, event: TLogEvent, at: Date): Promise<void> {
  await insertLog(deps.db, event, at);
}

/** Decide whether a password may be checked for this attempt, counting it where protection applies. */
export async function admitLogin(deps: TDeps, a: TLoginAttempt): Promise<TAdmission> {
  let policies: TAttackProtectionPolicies;
  try {
    policies = await deps.config.attackProtection();
  } catch (cause) {
    return { kind: "unavailable", cause };
  }
  const { bruteForce, suspiciousIp } = policies;
  let ipTaken = false;
  try {
    // One read of both counters. A blocked identifier is refused by it alone, before it could take from the IP's
    // budget; so is a flood from a blocked IP.
    const failureKey = blockCheckKey(bruteForce, a);
    const isIpRead = isIpCounted(suspiciousIp, a.ip);
    const bucket = ipBucketKey(suspiciousIp, a.ip);
    const read = await findFailureAndIpBucket(deps.db, failureKey, isIpRead ? bucket : null);
    if (failureKey !== null && isBlockingRow(bruteForce, read.failure, a.now))
      return { kind: "identifier_blocked" };
    let ip: TIpPeek = isIpRead
      ? await decideIpPeek(deps.db, suspiciousIp, bucket, read.ipBucket, a.now)
      : { kind: "exempt" };
    const isIpBlocking = suspiciousIp.shields.includes("block");
    if (ip.kind === "over_limit" && ip.isRefused) {
      if (ip.isNewBlock) await onIpBlocked(deps, policies, a, bucket, false);
      return { kind: "ip_throttled" };
    }
    // The IP's attempt, then the identifier's: each is one atomic statement of its own (no transaction around
    // them, which would cost PostgreSQL two more round trips per login). An identifier refused here gives the IP's
    // attempt back at once: the attempt costs no password check, so it does not count against the IP either.
    const peeked = ip.kind;
    const taken = await (async () => {
      const isIpTaken = peeked === "open" && (await takeIpAttempt(deps.db, suspiciousIp, bucket, a.now));
      if (peeked === "open" && !isIpTaken && isIpBlocking) return { isIpTaken, bf: null };
      const bf = await takeLoginAttempt(deps.db, bruteForce, a, a.now);
      if (bf.kind === "blocked" && isIpTaken) await refundIp(deps.db, suspiciousIp, bucket);
      return { isIpTaken, bf };
    })();
    if (peeked === "open" && !taken.isIpTaken)
      ip = await refuseIpAttempt(deps.db, suspiciousIp, bucket, a.now);
    if (ip.kind === "over_limit" && ip.isNewBlock)
      await onIpBlocked(deps, policies, a, bucket, !ip.isRefused);
    const bf = taken.bf;
    if (!bf) return { kind: "ip_throttled" };
    ipTaken = taken.isIpTaken;
    if (bf.kind === "blocked") return { kind: "identifier_blocked" };
    if (bf.kind === "admitted" && bf.releasedExpiredBlock) {
      await writeLog(
        deps,
        {
          ...a.logBase(),
          type: "ublkdu",
          description: "Block expired: 30 days without failed logins",
          details: { reason: "expired", identifier: bf.key.identifier, blocked_ip: bf.key.ip || null },
        },
        a.now,
      );
    }
    return {
      kind: "admitted",
      login: {
        async onFailure(user) {
          if (bf.kind !== "admitted") return;
          try {
            await recordFailedAttempt(deps.db, bruteForce, bf, a.now, (q) =>
              insertLog(
                q,
                {
                  ...a.logBase(),
                  type: "limit_wc",
                  description: `Blocked account: ${bf.count} failed login attempts reached the threshold of ${bruteForce.max_attempts}${bf.key.ip ? ` from ${bf.key.ip}` : ""}`,
                  ...(user ? { user_id: user.userId } : {}),
                  details: {
                    count: bf.count,
                    max_attempts: bruteForce.max_attempts,
                    mode: bruteForce.mode,
                    monitoring: !bruteForce.shields.includes("block"),
                  },
                },
                a.now,
              ),
            ).then(async (isNewBlock) => {
              if (isNewBlock) deps.metrics.block("brute_force");
              if (isNewBlock && user && bruteForce.shields.includes("user_notification")) {
                await notifyUserOfBlock(deps, user, loginFailureKey(bf.key), bf.key.ip, a.now);
              }
            });
          } catch (err) {
            // The attempt is already counted (the block holds); only the record or the message was lost.
            deps.log.error({ err: errorMessage(err) }, "could not record a brute-force block");
          }
        },
        async onSuccess(q) {
          if (bf.kind === "admitted") await resetAfterSuccess(q, bruteForce, a);
          if (ipTaken) await refundIp(q, suspiciousIp, bucket);
        },
      },
    };
  } catch (cause) {
    return { kind: "unavailable", cause };
  }
}

/** `bucket` is what was throttled: the address (IPv4) or its network (IPv6, e.g. `2001:db8::/64`). */
async function onIpBlocked(
  deps: TDeps,
  policies: TAttackProtectionPolicies,
  a: TLoginAttempt,
  bucket: string,
  isMonitoring: boolean,
): Promise<void> {
  deps.metrics.block("ip_throttle");
  const stage = policies.suspiciousIp.stage["pre-login"];
  if (isMonitoring) {
    // Blocking attempts are each logged as limit_mu by the token endpoint; monitoring logs the start once.
    await writeLog(
      deps,
      {
        ...a.logBase(),
        type: "limit_mu",
        description: `Suspicious IP ${bucket} exceeded ${stage.max_attempts} failed logins (monitoring only)`,
        details: { monitoring: true, max_attempts: stage.max_attempts, rate: stage.rate, blocked_ip: bucket },
      },
      a.now,
    );
  }
  if (!policies.suspiciousIp.shields.includes("admin_notification")) return;
  const when = a.now.toISOString();
  await deps.notifier.notify(
    {
      kind: "ip_throttle_block",
      to: deps.env.PORTCULLIS_ADMIN_EMAIL ?? null,
      subject: `Portcullis: suspicious logins from ${bucket}${isMonitoring ? " (monitoring)" : " blocked"}`,
      text: [
        `The ${bucket.includes("/") ? "IPv6 network" : "IP address"} ${bucket} made more than ${stage.max_attempts} failed login attempts (one attempt is`,
        `given back every ${Math.round(stage.rate / 1000)} s).`,
        isMonitoring
          ? "Suspicious IP throttling is in monitoring mode, so its logins are not refused."
          : "Further logins from it are refused with 429 too_many_attempts until its budget refills.",
        "",
        `First refused at: ${when}`,
        `Unblock it now: DELETE ${deps.env.PUBLIC_URL}/api/admin/anomaly/blocks/ips/${encodeURIComponent(a.ip)}`,
        "or allowlist it in the suspicious IP throttling settings if it is a trusted proxy or office network.",
      ].join("\n"),
    },
    ipThrottleNotificationKey(bucket),
    HOUR_MS,
  );
}

/** Notification key of an IP bucket's admin message; dropped on unblock, so a new block notifies again. */
export function ipThrottleNotificationKey(bucket: string): string {
  return `ip_throttle|${bucket}`;
}

/** Notification key of a user's brute-force message; dropped on unblock, so a new block notifies again. */
export function bruteForceNotificationKey(userId: string): string {
  return `brute_force|${userId}`;
}

async function notifyUserOfBlock(
  deps: TDeps,
  user: TUserRecord,
  key: string,
  ip: string,
  now: Date,
): Promise<void> {
  const token = deps.protection.unblockLinks.sign({
    key,
    userId: user.userId,
    expiresAt: new Date(now.getTime() + UNBLOCK_LINK_TTL_MS),
  });
  const link = `${deps.env.PUBLIC_URL}/unblock/${token}`;
  const expires = new Date(now.getTime() + BLOCK_LIFETIME_MS).toISOString().slice(0, 10);
  await deps.notifier.notify(
    {
      kind: "brute_force_block",
      to: user.email,
      subject: "Your account has been blocked after multiple failed login attempts",
      text: [
        `Hello${user.name ? ` ${user.name}` : ""},`,
        "",
        `We blocked logins to your account (${user.email ?? user.username ?? user.userId})${ip ? ` from ${ip.includes("/") ? "the IPv6 network" : "the IP address"} ${ip}` : ""} after repeated failed login attempts.`,
        "",
        "If it was you, open this link and press the button on the page to unblock your account (it works once,",
        "for 5 days):",
        link,
        "",
        "If it was not you, someone may be guessing your password: consider changing it. Changing it also lifts",
        `the block. Otherwise the block ends by itself on ${expires} if there are no more failed attempts.`,
      ].join("\n"),
      secrets: [token],
    },
    bruteForceNotificationKey(user.userId),
    HOUR_MS,
  );
}

export type TBreachedOutcome =
  | { kind: "clean" }
  /** Known breached; the login goes on (no `block` shield). `isNewlyFlagged` → log pwd_leak with the login. */
  | { kind: "flagged"; isNewlyFlagged: boolean }
  | { kind: "blocked" };

const ADMIN_WINDOW_MS: Record<string, number> = {
  immediately: HOUR_MS,
  daily: 24 * HOUR_MS,
  weekly: 7 * 24 * HOUR_MS,
  monthly: 30 * 24 * HOUR_MS,
};

const PERIOD: Record<string, string> = { daily: "day", weekly: "week", monthly: "month" };

/**
 * Breached-password detection, run only after the password verified (it concerns the right password). A blocked
 * login writes its own `pwd_leak` record together with the user's breached flag; the flag stays until the
 * password changes.
 */
export async function checkBreachedPassword(
  deps: TDeps,
  user: TUserRecord,
  password: string,
  now: Date,
  logBase: () => TLogBase,
): Promise<TBreachedOutcome> {
  const policy = (await deps.config.attackProtection()).breachedPassword;
  if (!policy.enabled) return { kind: "clean" };
  if (!user.passwordLeakedAt && !(await deps.protection.breached.isBreached(password)))
    return { kind: "clean" };
  const isBlocking = policy.shields.includes("block");
  let isNewlyFlagged = false;
  if (isBlocking) {
    await deps.db.transaction(async (q) => {
      isNewlyFlagged = await markPasswordLeaked(q, user.id, now);
      await insertLog(
        q,
        {
          ...logBase(),
          type: "pwd_leak",
          description: "Login blocked: the password appears in a breached-password list",
          user_id: user.userId,
          details: { blocked: true },
        },
        now,
      );
    });
  } else {
    isNewlyFlagged = await markPasswordLeaked(deps.db, user.id, now);
  }
  await notifyBreached(deps, policy, user, logBase().ip, now);
  return isBlocking ? { kind: "blocked" } : { kind: "flagged", isNewlyFlagged };
}

async function notifyBreached(
  deps: TDeps,
  policy: TAttackProtectionPolicies["breachedPassword"],
  user: TUserRecord,
  ip: string | undefined,
  now: Date,
): Promise<void> {
  try {
    if (policy.shields.includes("user_notification")) {
      await deps.notifier.notify(
        {
          kind: "breached_password_user",
          to: user.email,
          subject: "Your password was found in a data breach",
          text: [
            `Hello${user.name ? ` ${user.name}` : ""},`,
            "",
            "Someone just logged in to your account with a password that was disclosed in a data breach of",
            "another service (not this one). Attackers try such passwords everywhere.",
            policy.shields.includes("block")
              ? "To protect you, logins with this password are blocked until it is changed. Please change it."
              : "Please change your password, and do not reuse it anywhere.",
          ].join("\n"),
        },
        `breached|${user.userId}`,
        HOUR_MS,
      );
    }
    if (policy.shields.includes("admin_notification")) {
      const frequency = policy.admin_notification_frequency[0] ?? "immediately";
      const window = ADMIN_WINDOW_MS[frequency] ?? HOUR_MS;
      await deps.notifier.notify(
        {
          kind: "breached_password_admin",
          to: deps.env.PORTCULLIS_ADMIN_EMAIL ?? null,
          subject: "Portcullis: login with a breached password",
          text: [
            `A login for ${user.email ?? user.username ?? user.userId} (${user.userId}) from ${ip ?? "an unknown IP"} at ${now.toISOString()}`,
            `used a password found in a breach corpus${policy.shields.includes("block") ? "; it was blocked" : ""}.`,
            frequency === "immediately"
              ? "You get at most one such message per hour per IP address."
              : `You get at most one such message per ${PERIOD[frequency] ?? frequency}; the audit log (type pwd_leak) lists every case.`,
          ].join("\n"),
        },
        frequency === "immediately" ? `breached_admin|${ip ?? ""}` : `breached_admin|${frequency}`,
        window,
      );
    }
  } catch (err) {
    deps.log.error({ err: errorMessage(err) }, "could not queue a breached-password notification");
  }
}
