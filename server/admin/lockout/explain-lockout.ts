import type { TDeps } from "../../config/deps.ts";
import { findUserByUserId } from "../../store/users.ts";
import { findConnectionById } from "../../store/connections.ts";
import { AdminError } from "../admin-error.ts";
import { assertAdminAllowed } from "../admin-access.ts";
import type { TActor } from "../audit.ts";
import type { TLockoutCause, TLockoutExplanation } from "./describe-lockout.ts";
import { lockoutSubject } from "./lockout-subject.ts";
import { bruteForceCauses } from "./brute-force-causes.ts";
import { ipThrottleCauses } from "./ip-throttle-causes.ts";
import { adminBlockCause, breachedPasswordCause, mfaThrottleCause } from "./account-causes.ts";

/**
 * Why this user cannot sign in, and what will fix it: every brute-force counter, IP throttle, admin block,
 * breached-password hold and MFA wrong-code bucket that refuses the user now (`blocked`) or is counting towards
 * it (`at-risk`), read from the protection modules' own tables and policies, each with the records that caused it
 * and every way it ends. Blocked causes come first. Reads only; no secret (password, unblock token) is read.
 */
export async function explainLockout(
  deps: TDeps,
  admin: TActor,
  userId: string,
): Promise<TLockoutExplanation> {
  assertAdminAllowed(admin, "logs:read");
  const user = await findUserByUserId(deps.db, userId);
  if (!user) throw AdminError.notFound("The user does not exist.", { code: "inexistent_user" });
  const [policies, connection] = await Promise.all([
    deps.config.attackProtection(),
    findConnectionById(deps.db, user.connectionId),
  ]);
  const s = lockoutSubject(user, connection?.name ?? user.connectionId, deps.clock.now());
  const found = await Promise.all([
    adminBlockCause(deps, s),
    bruteForceCauses(deps, policies.bruteForce, s),
    ipThrottleCauses(deps, policies.suspiciousIp, s),
    breachedPasswordCause(deps, policies.breachedPassword, s),
    mfaThrottleCause(deps, s),
  ]);
  const causes: TLockoutCause[] = found.flat();
  const blocked = causes.filter((c) => c.state === "blocked");
  const atRisk = causes.filter((c) => c.state === "at-risk");
  return {
    state: blocked.length > 0 ? "blocked" : atRisk.length > 0 ? "at-risk" : "clear",
    causes: [...blocked, ...atRisk],
  };
}
