import type { TDeps } from "../../config/deps.ts";
import type { TLogRecord } from "../../store/logs.ts";
import { listLoginFailures, type TLoginFailureRow } from "../../store/login-failures.ts";
import { listMailedNotices, listUserLogsSince } from "../../store/lockout-reads.ts";
import { findLogsByUserNameAnyCase } from "../../store/related-logs.ts";
import {
  BLOCK_LIFETIME_MS,
  isBlockingRow,
  normalizeIdentifier,
  type TBruteForcePolicy,
} from "../../protection/brute-force.ts";
import { UNBLOCK_LINK_TTL_MS } from "../../protection/unblock-link.ts";
import { ipCountingKey, isCurrentIpKey } from "../../platform/ip-key.ts";
import type { TLockoutCause, TLockoutLift } from "./describe-lockout.ts";
import type { TLockoutSubject } from "./lockout-subject.ts";
import { adminSetPassword, adminUnblock, byTime, maskEmail, passwordReset, raiseThreshold } from "./lifts.ts";

/** At most this many record ids per cause (oldest first: the failures that started it come before the refusals). */
export const RECORD_CAP = 100;

/** The failure counters that refuse (or will refuse) this user's logins now, as the login path reads them. */
function isCountingNow(policy: TBruteForcePolicy, row: TLoginFailureRow): boolean {
  // Only the counters of the current mode are read by logins (blockCheckKey); others wait to expire.
  if (policy.mode === "count_per_identifier") return row.ip === "";
  if (row.ip === "" || !isCurrentIpKey(row.ip, policy.ipv6_prefix_length)) return false;
  // An IPv4 address allowlisted after it was counted is no longer checked (an IPv6 network cannot be matched here).
  return row.ip.includes("/") || !policy.allowed.has(row.ip);
}

/**
 * The records of one counter: the user's connection (records name it; the counter keeps its row id), its IP key
 * (any IP in account-lockout mode) and its identifier (the name typed, normalized as the counter keys it), since it
 * started.
 */
function recordsOf(
  policy: TBruteForcePolicy,
  row: TLoginFailureRow,
  connectionName: string,
  logs: TLogRecord[],
): TLogRecord[] {
  return logs.filter(
    (l) =>
      (l.connection === undefined || l.connection === connectionName) &&
      (l.user_name === undefined || normalizeIdentifier(l.user_name) === row.identifier) &&
      (row.ip === "" || (l.ip !== undefined && ipCountingKey(l.ip, policy.ipv6_prefix_length) === row.ip)),
  );
}

/**
 * The unblock link mailed for this block, if one was and it still works: the user's brute-force message written
 * since the block started and naming its IP (the message is per user, at most one an hour, so it may name
 * another block). Its token is never read: the stored text has it redacted, and only the mail carries it.
 */
async function unblockLinkLift(
  deps: TDeps,
  s: TLockoutSubject,
  row: TLoginFailureRow,
): Promise<TLockoutLift | null> {
  if (!s.user.email || !row.blockedAt) return null;
  const notices = await listMailedNotices(deps.db, {
    kind: "brute_force_block",
    recipient: s.user.email,
    since: row.blockedAt,
    take: 20,
  });
  const notice = notices.find((n) =>
    row.ip ? n.text.includes(` ${row.ip} after`) : !/ from the (IP address|IPv6 network) /.test(n.text),
  );
  if (!notice || (notice.status !== "outbox" && notice.status !== "pending" && notice.status !== "sent"))
    return null;
  const expiresAt = new Date(notice.createdAt.getTime() + UNBLOCK_LINK_TTL_MS);
  if (expiresAt <= s.now) return null;
  return {
    kind: "unblock-link",
    action: null,
    sent_at: notice.createdAt.toISOString(),
    to: maskEmail(s.user.email),
    status: notice.status,
    expires_at: expiresAt.toISOString(),
  };
}

/**
 * Brute-force causes: every counter of the user's identifiers (email, username) in the user's connection that
 * logins read now — blocked at the threshold, or at risk while counting towards it.
 */
export async function bruteForceCauses(
  deps: TDeps,
  policy: TBruteForcePolicy,
  s: TLockoutSubject,
): Promise<TLockoutCause[]> {
  // Monitoring (no `block` shield) counts but never refuses: nothing here stops a login.
  if (!policy.enabled || !policy.shields.includes("block") || s.identifiers.length === 0) return [];
  const rows = (
    await listLoginFailures(deps.db, {
      minCount: 1,
      since: new Date(s.now.getTime() - BLOCK_LIFETIME_MS),
      identifiers: s.identifiers,
      connectionId: s.user.connectionId,
    })
  ).filter((r) => isCountingNow(policy, r));
  const causes: TLockoutCause[] = [];
  for (const row of rows) {
    const isBlocked = isBlockingRow(policy, row, s.now);
    const read = { types: ["fp", "fu", "limit_wc"], since: row.firstFailureAt, take: 1000 };
    // The user's records, and those naming the counter's identifier in any case: an attempt typed in another case
    // counts here but records the name as typed, and an unknown username (usernames match exactly) no user id.
    const [ofUser, ofName] = await Promise.all([
      listUserLogsSince(deps.db, { ...read, userId: s.user.userId, userNames: s.userNames }),
      findLogsByUserNameAnyCase(deps.db, { ...read, name: row.identifier }),
    ]);
    const merged = new Map([...ofUser, ...ofName].map((l) => [l.log_id, l]));
    const logs = recordsOf(
      policy,
      row,
      s.connectionName,
      [...merged.keys()].sort().map((id) => merged.get(id)!),
    ).slice(0, RECORD_CAP);
    // The counter restarts 30 days after its last failure; refused attempts do not extend it.
    const expiresAt = new Date(row.lastFailureAt.getTime() + BLOCK_LIFETIME_MS);
    const link = isBlocked ? await unblockLinkLift(deps, s, row) : null;
    const lifts: TLockoutLift[] = isBlocked
      ? [
          adminUnblock(row.identifier),
          passwordReset(s.user.userId),
          adminSetPassword(s.user.userId),
          ...(link ? [link] : []),
          raiseThreshold(),
          byTime(expiresAt),
        ]
      : [
          { kind: "successful-login", action: null },
          adminUnblock(row.identifier),
          passwordReset(s.user.userId),
          byTime(expiresAt),
        ];
    causes.push({
      kind: "brute-force",
      state: isBlocked ? "blocked" : "at-risk",
      ...(row.ip ? { ip: row.ip } : {}),
      addresses: [...new Set(logs.map((l) => l.ip).filter((ip): ip is string => Boolean(ip)))],
      identifier: row.identifier,
      connection: s.connectionName,
      mode: policy.mode,
      count: row.count,
      threshold: policy.max_attempts,
      first_failed_at: row.firstFailureAt.toISOString(),
      last_failed_at: row.lastFailureAt.toISOString(),
      since: (isBlocked ? (row.blockedAt ?? row.lastFailureAt) : row.firstFailureAt).toISOString(),
      until: expiresAt.toISOString(),
      records: logs.map((l) => l.log_id),
      lifts,
    });
  }
  return causes;
}
