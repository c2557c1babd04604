import { rotateRecoveryCode } from "../../store/mfa-authenticators.ts";
import { matchesDigest, sha256Hex } from "../../crypto/digest.ts";
import { MFA_RECOVERY_CODE } from "../grant-types.ts";
import { newRecoveryCode, normalizeRecoveryCode } from "../../mfa/recovery-codes.ts";
import { completeMfaLogin, logMfaEvent } from "../../mfa/complete-mfa-login.ts";
import { verifyMfaCode } from "./verify-mfa-code.ts";
import type { TGrant } from "../core/grant-context.ts";

export const RECOVERY_REJECTED = "MFA Authorization rejected.";

/** `mfa-recovery-code`: the `mfa_token` plus a recovery code, answered with tokens and a new code (§4.3). */
export const mfaRecoveryCodeGrant: TGrant = {
  grantTypes: [MFA_RECOVERY_CODE],
  params: ["mfa_token", "recovery_code"],
  secretParams: ["mfa_token", "recovery_code"],
  failureLogType: "fercft",
  async handle(ctx) {
    const fresh = newRecoveryCode();
    const { login } = await verifyMfaCode(ctx, {
      isEnabled: (tenant) => tenant.mfaRecoveryCodeEnabled,
      disabledMessage: "Recovery codes are disabled for this tenant.",
      param: "recovery_code",
      normalize: normalizeRecoveryCode,
      // No recovery code on file is refused only after the check, so it spends an attempt like a wrong code.
      pick: (all) => all.find((a) => a.type === "recovery-code" && a.active && a.codeHash),
      async check(presented, rc) {
        if (!rc?.codeHash || !matchesDigest(presented, rc.codeHash)) return false;
        // Swapping the hash only if it is still the presented one retires the code exactly once.
        const { id, codeHash } = rc;
        return ctx.deps.db.transaction((q) => rotateRecoveryCode(q, id, codeHash, sha256Hex(fresh)));
      },
      rateLimitLogType: "gd_recovery_rate_limit_exceed",
      failure: { logType: "gd_recovery_failed", message: RECOVERY_REJECTED },
    });
    const body = await completeMfaLogin(ctx, login, "sercft", "mfa", async (q) => {
      await logMfaEvent(ctx, "gd_recovery_succeed", "Recovery succeeded", q);
    });
    return { ...body, recovery_code: fresh };
  },
};
