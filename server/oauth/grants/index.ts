import { passwordGrant } from "./password.ts";
import { refreshTokenGrant } from "./refresh-token.ts";
import { mfaOtpGrant } from "./mfa-otp.ts";
import { mfaRecoveryCodeGrant } from "./mfa-recovery-code.ts";
import { clientCredentialsGrant } from "./client-credentials.ts";
import type { TGrant } from "../core/grant-context.ts";

/** Registered grants by grant_type. */
export const GRANTS: ReadonlyMap<string, TGrant> = new Map(
  [passwordGrant, refreshTokenGrant, mfaOtpGrant, mfaRecoveryCodeGrant, clientCredentialsGrant].flatMap((g) =>
    g.grantTypes.map((t) => [t, g] as const),
  ),
);
