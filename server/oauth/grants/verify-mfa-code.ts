import { InvalidGrant } from "../core/errors.ts";
import type { TLogType } from "../../audit/events.ts";
import type { TTenantRecord } from "../../store/tenant.ts";
import { listAuthenticators, type TAuthenticatorRecord } from "../../store/mfa-authenticators.ts";
import {
  checkCodeWithBucket,
  logMfaEvent,
  openMfaLogin,
  requiredParam,
  type TMfaLogin,
} from "../../mfa/complete-mfa-login.ts";
import type { TGrantContext } from "../core/grant-context.ts";

/** How one MFA grant reads, checks and refuses its second-factor code. */
export type TMfaCodeFactor<A> = {
  /** The factor's tenant switch, and the refusal when it is off. */
  isEnabled(tenant: TTenantRecord): boolean;
  disabledMessage: string;
  /** The grant parameter holding the code, and how to normalize it. */
  param: string;
  normalize(code: string): string;
  /** The user's authenticator for this factor; throw here to refuse before an attempt is spent. */
  pick(authenticators: TAuthenticatorRecord[]): A;
  /** Whether the code is right, consuming it (a one-time code must not pass twice). */
  check(code: string, authenticator: A): Promise<boolean>;
  /** Logged when the wrong-code bucket is empty. */
  rateLimitLogType: TLogType;
  /** Logged (with `details`) and answered as invalid_grant when the code is wrong. */
  failure: { logType: TLogType; message: string; details?(authenticator: A): Record<string, unknown> };
};

/**
 * The shared part of the MFA grants: open the `mfa_token`, refuse a factor the tenant turned off, and check the
 * presented code under the user's wrong-code bucket; a wrong code is logged and refused. Answers the login and the
 * authenticator the code was checked against, for the grant to complete the login.
 */
export async function verifyMfaCode<A>(
  ctx: TGrantContext,
  factor: TMfaCodeFactor<A>,
): Promise<{ login: TMfaLogin; authenticator: A }> {
  const login = await openMfaLogin(ctx);
  if (!factor.isEnabled(await ctx.deps.config.tenant())) throw new InvalidGrant(factor.disabledMessage);
  const code = factor.normalize(requiredParam(ctx.params, factor.param));
  const authenticator = factor.pick(await listAuthenticators(ctx.deps.db, login.user.id));
  const isValid = await checkCodeWithBucket(ctx, login.user, factor.rateLimitLogType, () =>
    factor.check(code, authenticator),
  );
  if (!isValid) {
    const { logType, message, details } = factor.failure;
    await logMfaEvent(ctx, logType, message, null, details?.(authenticator) ?? {});
    throw new InvalidGrant(message);
  }
  return { login, authenticator };
}
