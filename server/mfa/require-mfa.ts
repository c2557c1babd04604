import type { TClientRecord } from "../store/clients.ts";
import type { TTenantRecord } from "../store/tenant.ts";
import type { TUserRecord } from "../store/users.ts";
import type { TGrantContext } from "../oauth/core/grant-context.ts";
import { MfaRequired, UnauthorizedClient } from "../oauth/core/errors.ts";
import { MFA_GRANT_GROUP, MFA_OTP } from "../oauth/grant-types.ts";
import { createMfaToken } from "./mfa-token.ts";

export { MFA_OTP, MFA_OOB, MFA_RECOVERY_CODE } from "../oauth/grant-types.ts";
/** The MFA grant group (the registry's), under the name MFA code and tests use. */
export const MFA_GRANT_TYPES = MFA_GRANT_GROUP;

export const MFA_GRANT_MISSING =
  "Multifactor authentication is required for this login, but the client does not have the MFA grant types enabled.";

/** What rules decided about MFA (`context.multifactor`), once the rules engine runs in the password grant. */
export type TRulesMfaOutcome = { multifactor?: { provider?: string } | null };

export type TMfaDecision = { isMfaRequired: false } | { isMfaRequired: true; reason: "policy" | "rule" };

/**
 * Whether a login must pass a second factor: the tenant policy `always`, or a rule that set
 * `context.multifactor`. Pure, so the rules engine can feed its outcome without touching anything else.
 */
export function decideMfa(input: {
  tenant: Pick<TTenantRecord, "mfaPolicy">;
  client: Pick<TClientRecord, "grantTypes">;
  rules?: TRulesMfaOutcome;
}): TMfaDecision {
  // Auth0's api.multifactor.enable("none"): no second factor for this login, whatever the tenant policy.
  if (input.rules?.multifactor?.provider === "none") return { isMfaRequired: false };
  if (input.tenant.mfaPolicy === "always") return { isMfaRequired: true, reason: "policy" };
  if (input.rules?.multifactor) return { isMfaRequired: true, reason: "rule" };
  return { isMfaRequired: false };
}

/** Whether a client has the MFA grant group. */
export function hasMfaGrant(client: Pick<TClientRecord, "grantTypes">): boolean {
  return client.grantTypes.includes(MFA_OTP);
}

/**
 * Called by the password grant after the credentials (and, later, rules) succeeded. When MFA is required it
 * throws 403 `mfa_required` with a fresh `mfa_token` (logged `mfar`), or a clear `unauthorized_client` when the
 * client lacks the MFA grants; either way no tokens are issued. Returns normally when no second factor is needed.
 */
export async function enforceMfa(
  ctx: TGrantContext,
  user: TUserRecord,
  request: { audience: string | null; scope: string[]; connection: string },
  rules?: TRulesMfaOutcome,
): Promise<void> {
  const tenant = await ctx.deps.config.tenant();
  const decision = decideMfa({ tenant, client: ctx.client, rules });
  if (!decision.isMfaRequired) return;
  ctx.audit.details = { ...ctx.audit.details, mfa_reason: decision.reason };
  if (!hasMfaGrant(ctx.client)) throw new UnauthorizedClient(MFA_GRANT_MISSING);
  ctx.audit.failureType = "mfar";
  throw new MfaRequired(
    createMfaToken(ctx.deps, { userId: user.id, clientId: ctx.client.clientId, ...request }, ctx.now),
  );
}
