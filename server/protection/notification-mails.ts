import type { TDeps } from "../config/deps.ts";
import type { TUserRecord } from "../store/users.ts";
import { BLOCK_LIFETIME_MS } from "./brute-force.ts";
import { UNBLOCK_LINK_TTL_MS } from "./unblock-link.ts";
import type { TAttackProtectionPolicies } from "./policies.ts";
import { errorMessage } from "../platform/logger.ts";

// The messages attack protection sends: the administrator's notice of a throttled IP, the user's notice of a
// brute-force block (with an unblock link), and the breached-password notices. Each is queued through the notifier,
// which sends at most one message per key and window.

const HOUR_MS = 3600 * 1000;

/** Notification key of an IP bucket's admin message; dropped on unblock, so a new block notifies again. */
export function ipThrottleNotificationKey(bucket: string): string {
  return `ip_throttle|${bucket}`;
}

/** Notification key of a user's brute-force message; dropped on unblock, so a new block notifies again. */
export function bruteForceNotificationKey(userId: string): string {
  return `brute_force|${userId}`;
}

/**
 * Tell the administrator that an IP bucket was throttled. `bucket` is what was throttled: the address (IPv4) or its
 * network (IPv6, e.g. `2001:db8::/64`); `ip` is the request's address, which the unblock endpoint takes.
 */
export async function notifyIpThrottleBlock(
  deps: TDeps,
  stage: TAttackProtectionPolicies["suspiciousIp"]["stage"]["pre-login"],
  a: { ip: string; bucket: string; isMonitoring: boolean; now: Date },
): Promise<void> {
  const { ip, bucket, isMonitoring } = a;
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
        `Unblock it now: DELETE ${deps.env.PUBLIC_URL}/api/admin/anomaly/blocks/ips/${encodeURIComponent(ip)}`,
        "or allowlist it in the suspicious IP throttling settings if it is a trusted proxy or office network.",
      ].join("\n"),
    },
    ipThrottleNotificationKey(bucket),
    HOUR_MS,
  );
}

/** Mail the user a one-time unblock link for the brute-force block on `key` (the LoginFailure key). */
export async function notifyUserOfBlock(
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

const ADMIN_WINDOW_MS: Record<string, number> = {
  immediately: HOUR_MS,
  daily: 24 * HOUR_MS,
  weekly: 7 * 24 * HOUR_MS,
  monthly: 30 * 24 * HOUR_MS,
};

const PERIOD: Record<string, string> = { daily: "day", weekly: "week", monthly: "month" };

/**
 * Tell the user and/or the administrator (as the policy's shields say) that a login used a breached password. A
 * message that cannot be queued is logged, never fails the login.
 */
export async function notifyBreachedPassword(
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
      await notifyAdminOfBreachedPassword(deps, policy, {
        flow: "login",
        who: `${user.email ?? user.username ?? user.userId} (${user.userId})`,
        ip,
        isBlocked: policy.shields.includes("block"),
        now,
      });
    }
  } catch (err) {
    deps.log.error({ err: errorMessage(err) }, "could not queue a breached-password notification");
  }
}

const FLOWS = {
  login: { what: "login", logType: "pwd_leak" },
  signup: { what: "signup", logType: "signup_pwd_leak" },
  reset: { what: "password reset", logType: "reset_pwd_leak" },
} as const;

/**
 * Tell the administrator that a login, a signup or a password reset used a breached password, at most once per
 * `admin_notification_frequency` (per IP when `immediately`): one key and window for all three flows, so a flood
 * from one IP across them still sends one message per hour.
 */
export async function notifyAdminOfBreachedPassword(
  deps: TDeps,
  policy: TAttackProtectionPolicies["breachedPassword"],
  e: { flow: keyof typeof FLOWS; who: string; ip: string | undefined; isBlocked: boolean; now: Date },
): Promise<void> {
  const { what, logType } = FLOWS[e.flow];
  const frequency = policy.admin_notification_frequency[0] ?? "immediately";
  const window = ADMIN_WINDOW_MS[frequency] ?? HOUR_MS;
  await deps.notifier.notify(
    {
      kind: "breached_password_admin",
      to: deps.env.PORTCULLIS_ADMIN_EMAIL ?? null,
      subject: `Portcullis: ${what} with a breached password`,
      text: [
        `A ${what} for ${e.who} from ${e.ip ?? "an unknown IP"} at ${e.now.toISOString()}`,
        `used a password found in a breach corpus${e.isBlocked ? "; it was blocked" : ""}.`,
        frequency === "immediately"
          ? "You get at most one such message per hour per IP address."
          : `You get at most one such message per ${PERIOD[frequency] ?? frequency}; the audit log (type ${logType}) lists every case.`,
      ].join("\n"),
    },
    frequency === "immediately" ? `breached_admin|${e.ip ?? ""}` : `breached_admin|${frequency}`,
    window,
  );
}
