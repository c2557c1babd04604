import { generateSecret, generateURI, verify } from "otplib";

export const TOTP_PERIOD_S = 30;

/** The TOTP time step `code` matches within ±1 step of `now`, or null. */
export async function verifyTotpStep(secret: string, code: string, now: Date): Promise<number | null> {
  if (!/^\d{6}$/.test(code)) return null;
  const epoch = Math.floor(now.getTime() / 1000);
  const result = await verify({ secret, token: code, epoch, epochTolerance: TOTP_PERIOD_S });
  if (!result.valid) return null;
  return Math.floor(epoch / TOTP_PERIOD_S) + result.delta;
}

/** A new base32 TOTP secret and its otpauth:// URI in the shape Auth0 returns (contract §4.2). */
export function newTotpSecret(issuer: string, account: string): { secret: string; barcodeUri: string } {
  const secret = generateSecret();
  // Appended as text: URLSearchParams would turn spaces in the issuer into "+", which apps show literally.
  const uri = generateURI({ issuer, label: account, secret });
  return { secret, barcodeUri: `${uri}&algorithm=SHA1&digits=6&period=${TOTP_PERIOD_S}` };
}
