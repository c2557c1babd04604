import type { TDeps } from "../config/deps.ts";
import {
  checkNewPassword,
  explainPasswordFailure,
  type TPasswordOwner,
  type TPasswordPolicyFailure,
} from "../auth/password-policy.ts";
import type { TConnectionRecord } from "../store/connections.ts";

/** The dashboard's own floor for a password an admin types, whatever the connection's policy allows. */
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

export type TPasswordProblem = {
  message: string;
  code: "invalid_password" | "password_leaked";
  /** The policy's refusal (Auth0's `invalid_password` parts: name, rules), for a client that lists the rules. */
  policy?: TPasswordPolicyFailure;
};

/**
 * Why an admin-chosen password is refused, or null when it is acceptable: the connection's password policy
 * (strength, dictionary, personal data, and history when `userId` names an existing user), then 8 to 128 characters
 * (an admin-chosen password never goes below that, even where the policy is Auth0's "none"), then, with
 * breached-password detection on, presence in the breach corpus. Shared by "set password" and "create user".
 */
export async function findPasswordProblem(
  deps: TDeps,
  password: string,
  target: { connection: TConnectionRecord; user: TPasswordOwner; userId?: string },
): Promise<TPasswordProblem | null> {
  const failure = await checkNewPassword(deps, { ...target, password });
  if (failure) return { message: explainPasswordFailure(failure), code: "invalid_password", policy: failure };
  // The policy speaks first (its rules are what the admin configured); the floor catches what "none" lets through.
  if (password.length < PASSWORD_MIN_LENGTH || password.length > PASSWORD_MAX_LENGTH) {
    return {
      message: `password must be a string of ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters.`,
      code: "invalid_password",
    };
  }
  const breached = (await deps.config.attackProtection()).breachedPassword;
  if (breached.enabled && (await deps.protection.breached.isBreached(password))) {
    return {
      message: "This password appears in a breached-password list; choose another.",
      code: "password_leaked",
    };
  }
  return null;
}
