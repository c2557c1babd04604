import { randomInt } from "node:crypto";

const ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/** A new recovery code: 24 characters from a 32-symbol alphabet (120 bits), like Auth0's. */
export function newRecoveryCode(): string {
  let out = "";
  for (let i = 0; i < 24; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

/** Codes are compared case-insensitively, ignoring spaces and dashes people type when copying them. */
export function normalizeRecoveryCode(code: string): string {
  return code.replace(/[\s-]/g, "").toUpperCase();
}
