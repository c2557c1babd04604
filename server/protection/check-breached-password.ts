import type { TDeps } from "../config/deps.ts";
import { insertLog } from "../store/logs.ts";
import { markPasswordLeaked } from "../store/user-passwords.ts";
import type { TUserRecord } from "../store/users.ts";
import type { TLogBase } from "./login-guard.ts";
import { notifyBreachedPassword } from "./notification-mails.ts";

export type TBreachedOutcome =
  | { kind: "clean" }
  /** Known breached; the login goes on (no `block` shield). `isNewlyFlagged` → log pwd_leak with the login. */
  | { kind: "flagged"; isNewlyFlagged: boolean }
  | { kind: "blocked" };

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
  await notifyBreachedPassword(deps, policy, user, logBase().ip, now);
  return isBlocking ? { kind: "blocked" } : { kind: "flagged", isNewlyFlagged };
}
