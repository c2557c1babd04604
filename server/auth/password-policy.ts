import sheriff, { type PasswordPolicy, type TSheriffRule } from "password-sheriff";
import type { TDeps } from "../config/deps.ts";
import { findConnectionById, type TConnectionRecord } from "../store/connections.ts";
import {
  insertPasswordHistory,
  listPasswordHistory,
  prunePasswordHistory,
} from "../store/password-history.ts";
import type { TSqlRunner } from "../store/raw-sql.ts";
import { findUserById } from "../store/users.ts";
import { loadCommonPasswords } from "./common-passwords.ts";
import { ZPasswordOptions, type TPasswordOptions, type TPasswordPolicyLevel } from "./connection-settings.ts";

/**
 * Why a new password is refused, as the parts of Auth0's signup / change-password error body (the caller adds
 * `statusCode`): `{"name":"PasswordStrengthError","message":"Password is too weak","code":"invalid_password",
 * "description":{"rules":[…],"verified":false},"policy":"* At least 8 characters in length"}` and the dictionary,
 * personal-data and history variants, whose `description` is a sentence.
 */
export type TPasswordPolicyFailure = {
  name: string;
  message: string;
  code: "invalid_password";
  description: unknown;
  policy?: string;
};

/** The profile fields the personal-data option compares a password with. */
export type TPasswordOwner = {
  email?: string | null;
  username?: string | null;
  name?: string | null;
  nickname?: string | null;
  givenName?: string | null;
  familyName?: string | null;
};

/** Longest password any connection accepts (characters); Argon2id has no 72-byte limit as Auth0's bcrypt has. */
export const PASSWORD_MAX_CHARS = 128;
/** Auth0's dashboard default when `password_history.enable` is set without a size. */
const DEFAULT_HISTORY_SIZE = 5;
/** Profile values shorter than this are not looked for in a password (a one-letter nickname would forbid most). */
const MIN_PERSONAL_VALUE = 3;

const { PasswordPolicy: SheriffPolicy, charsets } = sheriff;
const FOUR_KINDS = [charsets.lowerCase, charsets.upperCase, charsets.numbers, charsets.specialCharacters];

/** Auth0's five strength levels, as password-sheriff defines them (the package Auth0 publishes and runs). */
const LEVELS = {
  none: { length: 1, rules: {} },
  low: { length: 6, rules: {} },
  fair: {
    length: 8,
    rules: { contains: { expressions: [charsets.lowerCase, charsets.upperCase, charsets.numbers] } },
  },
  good: { length: 8, rules: { containsAtLeast: { atLeast: 3, expressions: FOUR_KINDS } } },
  excellent: {
    length: 10,
    rules: { containsAtLeast: { atLeast: 3, expressions: FOUR_KINDS }, identicalChars: { max: 2 } },
  },
} satisfies Record<TPasswordPolicyLevel, { length: number; rules: Record<string, unknown> }>;

/**
 * A connection's password options, read leniently: an option whose stored shape is not Auth0's is ignored (off)
 * rather than failing every password change. Validation at save time (dashboard, importer) refuses such shapes.
 */
export function readPasswordOptions(options: Record<string, unknown>): TPasswordOptions {
  const out: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(ZPasswordOptions.shape)) {
    const parsed = schema.safeParse(options[key]);
    if (parsed.success && parsed.data !== undefined) out[key] = parsed.data;
  }
  return out as TPasswordOptions;
}

function strengthPolicy(options: TPasswordOptions): PasswordPolicy {
  const level = LEVELS[options.passwordPolicy ?? "none"];
  const minLength = options.password_complexity_options?.min_length ?? level.length;
  return new SheriffPolicy({ length: { minLength }, ...level.rules });
}

/** The connection's strength rules as Auth0's `policy` text ("* At least 8 characters in length\n* …"). */
export function describePasswordPolicy(connection: TConnectionRecord): string {
  return strengthPolicy(readPasswordOptions(connection.options)).toString();
}

function strengthFailure(policy: PasswordPolicy, password: string): TPasswordPolicyFailure | null {
  const missing = policy.missing(password);
  if (password.length > PASSWORD_MAX_CHARS) {
    const tooLong: TSheriffRule = {
      message: "Maximum password length exceeded",
      code: "maxLength",
      format: [PASSWORD_MAX_CHARS],
      verified: false,
    };
    missing.rules.push(tooLong);
    missing.verified = false;
  }
  if (missing.verified) return null;
  return {
    name: "PasswordStrengthError",
    message: "Password is too weak",
    code: "invalid_password",
    description: missing,
    policy: policy.toString(),
  };
}

async function isInDictionary(options: TPasswordOptions, password: string): Promise<boolean> {
  if (!options.password_dictionary?.enable) return false;
  // Auth0 compares whole passwords, case-insensitively, with its list and the connection's own words.
  const lower = password.toLowerCase();
  if ((options.password_dictionary.dictionary ?? []).some((w) => w.toLowerCase() === lower)) return true;
  return (await loadCommonPasswords()).has(lower);
}

/** Auth0's list: name, username, nickname, the email's local part (and here given and family name). */
function containsPersonalData(user: TPasswordOwner, password: string): boolean {
  const lower = password.toLowerCase();
  const emailLocal = user.email ? user.email.slice(0, Math.max(0, user.email.lastIndexOf("@"))) : "";
  const values = [user.name, user.username, user.nickname, user.givenName, user.familyName, emailLocal];
  // A full name is also looked for word by word ("John Smith" refuses "john1234").
  const parts = values.flatMap((v) => (v ? [v, ...v.split(/\s+/)] : []));
  return parts.some((v) => v.length >= MIN_PERSONAL_VALUE && lower.includes(v.toLowerCase()));
}

function historySize(options: TPasswordOptions): number {
  const history = options.password_history;
  if (!history?.enable) return 0;
  return history.size ?? DEFAULT_HISTORY_SIZE;
}

async function isInHistory(
  deps: Pick<TDeps, "db" | "hasher">,
  userId: string,
  size: number,
  password: string,
): Promise<boolean> {
  const hashes = await listPasswordHistory(deps.db, userId, size);
  // Every remembered hash is verified (no early exit), so the time taken does not tell which entry matched.
  const matches = await Promise.all(hashes.map((h) => deps.hasher.verify(h, password)));
  return matches.some(Boolean);
}

/**
 * Check a new password for a user of a connection against the connection's password policy: strength level and
 * minimum length, dictionary, personal data, then (when `userId`, the internal User.id, is given) history. Null
 * when it passes, else Auth0's error parts. Never logs the password.
 */
export async function checkNewPassword(
  deps: Pick<TDeps, "db" | "hasher">,
  input: { connection: TConnectionRecord; password: string; user: TPasswordOwner; userId?: string },
): Promise<TPasswordPolicyFailure | null> {
  const options = readPasswordOptions(input.connection.options);
  const { password } = input;
  const weak = strengthFailure(strengthPolicy(options), password);
  if (weak) return weak;
  if (await isInDictionary(options, password)) {
    return {
      name: "PasswordDictionaryError",
      message: "Password is too common",
      code: "invalid_password",
      description: "Password is not allowed, it might be too common.",
    };
  }
  if (options.password_no_personal_info?.enable && containsPersonalData(input.user, password)) {
    return {
      name: "PasswordNoUserInfoError",
      message: "Password contains user information",
      code: "invalid_password",
      description: "Password contains user information",
    };
  }
  const size = historySize(options);
  if (input.userId && size > 0 && (await isInHistory(deps, input.userId, size, password))) {
    return {
      name: "PasswordHistoryError",
      message: "Password has previously been used",
      code: "invalid_password",
      description: "Password has previously been used",
    };
  }
  return null;
}

/**
 * Remember a password hash in the user's history (call in the same transaction that sets the password, after the
 * user row exists). With the connection's history on, the newest `size` hashes are kept (the current password is
 * the newest); with it off, the user's history is forgotten, so turning it on starts afresh, as on Auth0.
 */
export async function rememberPassword(
  q: TSqlRunner,
  _deps: Partial<TDeps>,
  userId: string,
  hash: string,
  at: Date,
): Promise<void> {
  const user = await findUserById(q, userId);
  if (!user) throw new Error(`No user ${userId} to remember a password for`);
  const connection = await findConnectionById(q, user.connectionId);
  const size = connection ? historySize(readPasswordOptions(connection.options)) : 0;
  if (size > 0) await insertPasswordHistory(q, userId, hash, at, size);
  else await prunePasswordHistory(q, userId, 0);
}

/** Human-readable one-line reason, for the dashboard and the CLI (the rules that failed, or the error's message). */
export function explainPasswordFailure(failure: TPasswordPolicyFailure): string {
  const d = failure.description as { rules?: TSheriffRule[] } | string;
  if (typeof d === "string" || !d.rules) return `${failure.message}.`;
  const failed = d.rules.filter((r) => r.verified === false).map((r) => formatRule(r));
  return `${failure.message}: ${failed.join("; ")}.`;
}

function formatRule(rule: TSheriffRule): string {
  let i = 0;
  const text = rule.message.replace(/%[sd]/g, () => String(rule.format?.[i++] ?? ""));
  if (!rule.items) return text;
  const missing = rule.items.filter((it) => it.verified !== true);
  return `${text} ${missing.map((it) => it.message).join(", ")}`;
}
