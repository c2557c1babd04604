import type { TDeps } from "../config/deps.ts";
import type { TLogEvent } from "../audit/events.ts";
import { insertLog } from "../store/logs.ts";
import { findFailureAndIpBucket, loginFailureKey } from "../store/login-failures.ts";
import type { TSqlWriter } from "../store/raw-sql.ts";
import type { TUserRecord } from "../store/users.ts";
import {
  blockCheckKey,
  isBlockingRow,
  takeLoginAttempt,
  recordFailedAttempt,
  resetAfterSuccess,
  type TBruteForceAdmission,
  type TBruteForcePolicy,
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
import { notifyIpThrottleBlock, notifyUserOfBlock } from "./notification-mails.ts";
import type { TAttackProtectionPolicies } from "./policies.ts";
import { errorMessage } from "../platform/logger.ts";

// Login admission: attack protection around one password check, composed from the brute-force and IP-throttle
// modules in the order performance.md recommends: IP throttle → identifier lockout → (user lookup → hash, done
// by the grant; breached-password check after it, check-breached-password.ts). The outcomes are values; the
// grant maps them to OAuth errors.

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
          await recordLoginFailure(deps, bruteForce, a, bf, user);
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

/** Count a wrong password; at the threshold start a block, record it and mail the user (as the shields say). */
async function recordLoginFailure(
  deps: TDeps,
  bruteForce: TBruteForcePolicy,
  a: TLoginAttempt,
  bf: Extract<TBruteForceAdmission, { kind: "admitted" }>,
  user: TUserRecord | null,
): Promise<void> {
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
  await notifyIpThrottleBlock(deps, stage, { ip: a.ip, bucket, isMonitoring, now: a.now });
}
