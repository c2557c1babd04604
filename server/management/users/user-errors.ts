import { AdminError } from "../../admin/admin-error.ts";
import type { TPasswordPolicyFailure } from "../../auth/password-policy.ts";
import { ManagementError } from "../management-error.ts";

/**
 * A user use case's refusal in Auth0's words: a clash is `The user already exists.` (409 `auth0_idp_error`), a
 * password the connection's policy refuses is `PasswordStrengthError: Password is too weak` and its siblings, other
 * input problems `Payload validation error: '…'`. Anything else passes unchanged.
 */
export function asAuth0UserError(err: unknown): unknown {
  if (!(err instanceof AdminError)) return err;
  if (err.status === 409) return ManagementError.conflict("The user already exists.", "auth0_idp_error");
  if (err.status !== 400) return err;
  if (err.code === "invalid_password") {
    const policy = err.details as TPasswordPolicyFailure | undefined;
    // The dashboard's 8-character floor under a "none" policy is a strength refusal too.
    const message = policy?.name
      ? `${policy.name}: ${policy.message}`
      : "PasswordStrengthError: Password is too weak";
    return new ManagementError(400, message);
  }
  if (err.code === "password_leaked") return new ManagementError(400, err.message, "password_leaked");
  if (err.code) return err;
  return ManagementError.invalidBody(`Payload validation error: '${err.message.replace(/\.$/, "")}'.`);
}

/** Run a use case, turning its refusals into Auth0's (see {@link asAuth0UserError}). */
export async function inAuth0Terms<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw asAuth0UserError(err);
  }
}
