import { DbConnectionError, INVALID_SIGNUP, missingParameter } from "./errors.ts";
import type { TDbParams } from "./read-params.ts";
import { isUnstorable } from "../core/request.ts";

/** Auth0's signup limits on `user_metadata`: an object of at most 10 properties, names ≤ 100, string values ≤ 500. */
export const SIGNUP_METADATA_LIMITS = { maxKeys: 10, maxKeyLength: 100, maxValueLength: 500 } as const;

const PROFILE_FIELDS = ["given_name", "family_name", "name", "nickname", "picture"] as const;
const MAX_PROFILE_LENGTH = 300;
const MAX_PICTURE_LENGTH = 2000;
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const USERNAME_RE = /^[A-Za-z0-9_+\-.!#$'^`~@]{1,128}$/;

export type TSignupInput = {
  email: string;
  password: string;
  username?: string;
  profile: Partial<Record<(typeof PROFILE_FIELDS)[number], string>>;
  userMetadata: Record<string, string> | undefined;
};

/** Validate the signup fields (after the client and connection): Auth0's error body for the first problem. */
export function readSignupInput(p: TDbParams): TSignupInput {
  const s = p.strings;
  if (!s.email) throw missingParameter("email");
  if (!s.password) throw missingParameter("password");
  const email = s.email.trim();
  if (email.length > 254 || !EMAIL_RE.test(email))
    throw DbConnectionError.badRequest("invalid_signup", INVALID_SIGNUP);
  if (s.username !== undefined && !USERNAME_RE.test(s.username)) {
    throw DbConnectionError.badRequest("invalid_signup", INVALID_SIGNUP);
  }
  const profile: TSignupInput["profile"] = {};
  for (const f of PROFILE_FIELDS) {
    const v = s[f];
    if (v === undefined) continue;
    const max = f === "picture" ? MAX_PICTURE_LENGTH : MAX_PROFILE_LENGTH;
    if (v.length > max) {
      throw DbConnectionError.badRequest("invalid_parameter", `${f} must be at most ${max} characters.`);
    }
    if (f === "picture" && !/^https?:\/\/\S+$/i.test(v)) {
      throw DbConnectionError.badRequest("invalid_parameter", "picture must be an http(s) URL.");
    }
    profile[f] = v;
  }
  return {
    email,
    password: s.password,
    ...(s.username !== undefined ? { username: s.username } : {}),
    profile,
    userMetadata: readUserMetadata(p.userMetadata),
  };
}

function readUserMetadata(value: unknown): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  const { maxKeys, maxKeyLength, maxValueLength } = SIGNUP_METADATA_LIMITS;
  const bad = () =>
    DbConnectionError.badRequest(
      "invalid_parameter",
      `user_metadata must be an object of at most ${maxKeys} properties whose names have at most ${maxKeyLength} characters and whose values are strings of at most ${maxValueLength} characters.`,
    );
  if (typeof value !== "object" || Array.isArray(value)) throw bad();
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > maxKeys) throw bad();
  const out: Record<string, string> = {};
  for (const [k, v] of entries) {
    if (k.length === 0 || k.length > maxKeyLength || typeof v !== "string" || v.length > maxValueLength)
      throw bad();
    if (isUnstorable(k) || isUnstorable(v)) throw bad();
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}
