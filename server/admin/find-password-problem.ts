import type { TDeps } from "../config/deps.ts";

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

/**
 * Why an admin-chosen password is refused, or null when it is acceptable: the length policy, and, with
 * breached-password detection on, presence in the breach corpus. Shared by "set password" and "create user".
 */
export async function findPasswordProblem(
  deps: TDeps,
  password: unknown,
): Promise<{ message: string; code: "invalid_body" | "password_leaked" } | null> {
  if (
    typeof password !== "string" ||
    password.length < PASSWORD_MIN_LENGTH ||
    password.length > PASSWORD_MAX_LENGTH
  ) {
    return {
      message: `password must be a string of ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters.`,
      code: "invalid_body",
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
