import type { TDeps } from "../../config/deps.ts";
import { errorMessage } from "../../platform/logger.ts";
import { breachedShieldsAt } from "../../protection/policies.ts";
import { notifyAdminOfBreachedPassword } from "../../protection/notification-mails.ts";

export type TNewPasswordBreach =
  | { kind: "clean" }
  /** Breached, and the stage's shields block it: refuse the new password. */
  | { kind: "blocked" }
  /** Breached, but the stage does not block: the password is taken (the caller records the detection). */
  | { kind: "flagged" };

const STAGE = { signup: "pre-user-registration", reset: "pre-change-password" } as const;

/**
 * Breached-password detection for a password being set at signup or through the hosted reset page, with the
 * shields of Auth0's stage for that flow (`pre-user-registration`, `pre-change-password`). The administrator's
 * message goes out as the login's does (notification-mails.ts); one that cannot be queued never fails the request.
 */
export async function checkNewPasswordBreach(
  deps: TDeps,
  flow: keyof typeof STAGE,
  password: string,
  a: { who: string; ip: string | undefined; now: Date },
): Promise<TNewPasswordBreach> {
  const policy = (await deps.config.attackProtection()).breachedPassword;
  const shields = breachedShieldsAt(policy, STAGE[flow]);
  if (shields.length === 0) return { kind: "clean" };
  if (!(await deps.protection.breached.isBreached(password))) return { kind: "clean" };
  const isBlocked = shields.includes("block");
  if (shields.includes("admin_notification")) {
    try {
      await notifyAdminOfBreachedPassword(deps, policy, { flow, ...a, isBlocked });
    } catch (err) {
      deps.log.error({ err: errorMessage(err) }, "could not queue a breached-password notification");
    }
  }
  return isBlocked ? { kind: "blocked" } : { kind: "flagged" };
}
