import { InvalidGrant } from "../core/errors.ts";
import { activateAuthenticators, claimTotpStep } from "../../store/mfa-authenticators.ts";
import { verifyTotpStep } from "../../mfa/verify-totp.ts";
import { MFA_OTP } from "../grant-types.ts";
import { completeMfaLogin, logMfaEvent } from "../../mfa/complete-mfa-login.ts";
import { verifyMfaCode } from "./verify-mfa-code.ts";
import type { TGrant } from "../core/grant-context.ts";

export const INVALID_OTP = "Invalid otp_code.";

/** `mfa-otp`: the `mfa_token` of a password login plus a TOTP code (contract §4.3). */
export const mfaOtpGrant: TGrant = {
  grantTypes: [MFA_OTP],
  params: ["mfa_token", "otp"],
  secretParams: ["mfa_token", "otp"],
  failureLogType: "feotpft",
  async handle(ctx) {
    const { login, authenticator: otpAuth } = await verifyMfaCode(ctx, {
      isEnabled: (tenant) => tenant.mfaOtpEnabled,
      disabledMessage: "The otp factor is disabled for this tenant.",
      param: "otp",
      normalize: (otp) => otp.trim(),
      pick(all) {
        // The active OTP authenticator, or the pending one being confirmed by this first verification.
        const otpAuth =
          all.find((a) => a.type === "otp" && a.active) ??
          all.filter((a) => a.type === "otp" && !a.active && a.secretEnc).at(-1);
        if (!otpAuth?.secretEnc) throw new InvalidGrant("User is not enrolled with an otp authenticator.");
        return { ...otpAuth, secretEnc: otpAuth.secretEnc };
      },
      async check(otp, otpAuth) {
        const step = await verifyTotpStep(
          ctx.deps.box.open("user-totp-seed", otpAuth.secretEnc),
          otp,
          ctx.now,
        );
        // Claiming the step is what stops a replay: a code already used (or an older one) is refused.
        return step !== null && (await ctx.deps.db.transaction((q) => claimTotpStep(q, otpAuth.id, step)));
      },
      rateLimitLogType: "gd_otp_rate_limit_exceed",
      failure: {
        logType: "gd_auth_failed",
        message: INVALID_OTP,
        details: (otpAuth) => ({ authenticator_id: otpAuth.publicId }),
      },
    });
    return completeMfaLogin(ctx, login, "seotpft", "mfa", async (q) => {
      if (!otpAuth.active) {
        await activateAuthenticators(q, login.user.id, ctx.now);
        await logMfaEvent(ctx, "gd_enrollment_complete", "Guardian enrollment complete", q, {
          authenticator_id: otpAuth.publicId,
        });
      }
      await logMfaEvent(ctx, "gd_auth_succeed", "MFA authentication success", q, {
        authenticator_id: otpAuth.publicId,
      });
    });
  },
};
