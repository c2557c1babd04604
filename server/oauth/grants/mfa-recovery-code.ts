import { InvalidGrant } from "../errors.ts";
import { listAuthenticatorsRaw, rotateRecoveryCodeRaw } from "../../store/mfa.ts";
import { matchesDigest, sha256Hex } from "../../crypto/digest.ts";
import { MFA_RECOVERY_CODE } from "../../mfa/require-mfa.ts";
import { newRecoveryCode, normalizeRecoveryCode } from "../../mfa/recovery-codes.ts";
import {
  checkCodeWithBucket,
  completeMfaLogin,
  logMfaEvent,
  openMfaLogin,
  requiredParam,
} from "../../mfa/complete-mfa-login.ts";
import type { TGrant } from "./types.ts";

export const RECOVERY_REJECTED = "MFA Authorization rejected.";

/** `mfa-recovery-code`: the `mfa_token` plus a recovery code, answered with tokens and a new code (§4.3). */
export const mfaRecoveryCodeGrant: TGrant = {
  grantTypes: [MFA_RECOVERY_CODE],
  params: ["mfa_token", "recovery_code"],
  failureLogType: "fercft",
  isFirstPartyOnly: true,
  async handle(ctx) {
    const login = await openMfaLogin(ctx);
    if (!(await ctx.deps.config.tenant()).mfaRecoveryCodeEnabled) {
      throw new InvalidGrant("Recovery codes are disabled for this tenant.");
    }
    const presented = normalizeRecoveryCode(requiredParam(ctx.params, "recovery_code"));
    const all = await listAuthenticatorsRaw(ctx.deps.sql, login.user.id);
    const rc = all.find((a) => a.type === "recovery-code" && a.active && a.codeHash);
    const fresh = newRecoveryCode();
    const isValid = await checkCodeWithBucket(ctx, login.user, "gd_recovery_rate_limit_exceed", async () => {
      if (!rc?.codeHash || !matchesDigest(presented, rc.codeHash)) return false;
      // Swapping the hash only if it is still the presented one retires the code exactly once.
      const { id, codeHash } = rc;
      return ctx.deps.sql.transaction((q) => rotateRecoveryCodeRaw(q, id, codeHash, sha256Hex(fresh)));
    });
    if (!isValid) {
      await logMfaEvent(ctx, "gd_recovery_failed", RECOVERY_REJECTED);
      throw new InvalidGrant(RECOVERY_REJECTED);
    }
    const body = await completeMfaLogin(ctx, login, "sercft", "mfa", async (q) => {
      await logMfaEvent(ctx, "gd_recovery_succeed", "Recovery succeeded", q);
    });
    return { ...body, recovery_code: fresh };
  },
};
