import type { TDeps } from "../config/deps.ts";
import {
  checkNewPassword,
  explainPasswordFailure,
  type TPasswordOwner,
  type TPasswordPolicyFailure,
} from "../auth/password-policy.ts";
import type { TConnectionRecord } from "../store/connections.ts";

export type TPasswordProblem = {
  message: string;
  code: "invalid_password" | "password_leaked";
  /** The policy's refusal (Auth0's `invalid_password` parts: name, rules), for a client that lists the rules. */
  policy?: TPasswordPolicyFailure;
};

/**
 * Why an admin-chosen password is refused, or null when it is acceptable: the connection's password policy
 * (strength, dictionary, personal data, and history when `userId` names an existing user), then, with
 * breached-password detection on, presence in the breach corpus. Shared by "set password" and "create user".
 */
export async function findPasswordProblem(
  deps: TDeps,
  password: string,
  target: { connection: TConnectionRecord; user: TPasswordOwner; userId?: string },
): Promise<TPasswordProblem | null> {
  const failure = await checkNewPassword(deps, { ...target, password });
  if (failure) return { message: explainPasswordFailure(failure), code: "invalid_password", policy: failure };
  const breached = (await deps.config.attackProtection()).breachedPassword;
  if (breached.enabled && (await deps.protection.breached.isBreached(password))) {
    return {
      message: "This password appears in a breached-password list; choose another.",
      code: "password_leaked",
    };
  }
  return null;
}
