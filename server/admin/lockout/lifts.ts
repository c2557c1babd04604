import type { TLockoutLift } from "./describe-lockout.ts";

// The admin lifts of the lockout explainer, each with the admin API call that takes it (the routes under
// app/api/admin that the dashboard's one-click buttons call).

const userPath = (userId: string) => `/api/admin/users/${encodeURIComponent(userId)}`;

/** Lift a brute-force block (and the identifier's failure counts, from every IP). */
export function adminUnblock(identifier: string): TLockoutLift {
  return {
    kind: "admin-unblock",
    action: "protection:unblock",
    identifier,
    request: {
      method: "DELETE",
      path: `/api/admin/user-blocks?identifier=${encodeURIComponent(identifier)}`,
    },
  };
}

/** Lift an IP throttle (and the brute-force counters kept under that IP). `ip` may be an IPv6 network. */
export function adminUnblockIp(ip: string): TLockoutLift {
  // Any address of a network lifts it; its first address keeps the slash out of the path.
  const address = ip.split("/")[0] ?? ip;
  return {
    kind: "admin-unblock-ip",
    action: "protection:unblock",
    ip,
    request: { method: "DELETE", path: `/api/admin/anomaly/blocks/ips/${encodeURIComponent(address)}` },
  };
}

/** Lift the admin block (`blocked: true`). */
export function adminUnblockUser(userId: string): TLockoutLift {
  return {
    kind: "admin-unblock-user",
    action: "users:block",
    request: { method: "POST", path: `${userPath(userId)}/block`, body: { blocked: false } },
  };
}

/** The user resets the password; an admin can hand them a reset link. */
export function passwordReset(userId: string): TLockoutLift {
  return {
    kind: "password-reset",
    action: "users:write",
    request: { method: "POST", path: `${userPath(userId)}/password-change-ticket` },
  };
}

/** An admin sets a new password. */
export function adminSetPassword(userId: string): TLockoutLift {
  return {
    kind: "admin-set-password",
    action: "users:write",
    request: { method: "PATCH", path: userPath(userId), body: { password: "<new password>" } },
  };
}

/** An admin resets the user's MFA (which also empties the wrong-code bucket). */
export function mfaReset(userId: string): TLockoutLift {
  return {
    kind: "mfa-reset",
    action: "mfa:reset",
    request: { method: "DELETE", path: `${userPath(userId)}/mfa` },
  };
}

/** Raising `max_attempts` above the count ends the block (a policy change for everyone). */
export function raiseThreshold(): TLockoutLift {
  return {
    kind: "raise-threshold",
    action: "config:write",
    request: { method: "PATCH", path: "/api/admin/attack-protection/brute-force-protection" },
  };
}

/** It ends by itself at `at`. */
export function byTime(at: Date): TLockoutLift {
  return { kind: "time", action: null, at: at.toISOString() };
}

/** `alice@example.com` → `a***@example.com`: enough for a help desk to recognise, not to harvest. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf("@");
  if (at <= 0) return "***";
  return `${email[0]}***${email.slice(at)}`;
}
