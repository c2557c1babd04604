import type { TDeps } from "../../config/deps.ts";
import type { TConnectionRecord } from "../../store/connections.ts";
import { DbConnectionError } from "./errors.ts";

// TODO(i17-policy): replace the interim rule below with H1's checkNewPassword(deps, {connection, password, user,
// userId}) from server/auth/password-policy.ts once that branch is merged, and map its failure here.
const INTERIM_MIN_LENGTH = 8;
const MAX_LENGTH = 128;

export type TNewPasswordInput = {
  connection: TConnectionRecord;
  password: string;
  user: { email?: string | null; username?: string | null; name?: string | null };
  /** Internal id of an existing user (password history applies on a reset, not on signup). */
  userId?: string;
};

/**
 * Check a password a user chooses (signup, reset) against the connection's policy: null when it passes, else the
 * error whose body is Auth0's `invalid_password` answer (`PasswordStrengthError` with the policy's rules).
 */
export async function findNewPasswordError(
  _deps: TDeps,
  input: TNewPasswordInput,
): Promise<DbConnectionError | null> {
  const { password } = input;
  if (password.length >= INTERIM_MIN_LENGTH && password.length <= MAX_LENGTH) return null;
  const rule = {
    message: "At least %d characters in length",
    format: [INTERIM_MIN_LENGTH],
    code: "lengthAtLeast",
    verified: false,
  };
  return new DbConnectionError(
    400,
    {
      name: "PasswordStrengthError",
      message: "Password is too weak",
      code: "invalid_password",
      description: { rules: [rule], verified: false },
      policy: `* At least ${INTERIM_MIN_LENGTH} characters in length`,
      statusCode: 400,
    },
    "Password is too weak",
  );
}
