import type { TDeps } from "../../config/deps.ts";
import type { TConnectionRecord } from "../../store/connections.ts";
import { checkNewPassword, type TPasswordOwner } from "../../auth/password-policy.ts";
import { DbConnectionError } from "./errors.ts";

export type TNewPasswordInput = {
  connection: TConnectionRecord;
  password: string;
  user: TPasswordOwner;
  /** Internal id of an existing user (password history applies on a reset, not on signup). */
  userId?: string;
};

/**
 * Check a password a user chooses (signup, reset) against the connection's policy: null when it passes, else the
 * error whose body is Auth0's `invalid_password` answer (`PasswordStrengthError` with the policy's rules, or the
 * dictionary, personal-data and history variants) with `statusCode: 400`.
 */
export async function findNewPasswordError(
  deps: TDeps,
  input: TNewPasswordInput,
): Promise<DbConnectionError | null> {
  const failure = await checkNewPassword(deps, input);
  if (!failure) return null;
  return new DbConnectionError(400, { ...failure, statusCode: 400 }, failure.message);
}
