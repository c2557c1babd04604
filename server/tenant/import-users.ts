import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { TDeps } from "../config/deps.ts";
import { findConnectionByName } from "../store/connections.ts";
import type { TUserPatch, TUserWrite } from "../store/users.ts";
import {
  applyUserImport,
  findImportConflicts,
  type TImportedTotp,
  type TUserIdentity,
} from "../store/user-import.ts";
import { revokeUserRefreshTokens } from "../store/refresh-tokens.ts";
import { CLI_ACTOR, recordAdminChange, type TActor } from "../admin/audit.ts";
import { formatProblem, zodProblems } from "../platform/zod-issues.ts";
import { isArgon2Hash, isBcryptHash } from "../auth/passwords.ts";
import { RESERVED_APP_METADATA } from "../auth/reserved-app-metadata.ts";

// The formats the password hasher verifies (server/auth/passwords.ts); a hash it cannot read would lock the user out.
const SUPPORTED_ALGORITHMS = ["argon2", "bcrypt"];
const USER_ID_PREFIX = "auth0|";

const ZMetadata = z.record(z.string(), z.unknown());

// Loose: the salt/password/key members of other algorithms are looked at after the algorithm is known.
export const ZCustomPasswordHash = z.looseObject({
  algorithm: z.string().min(1),
  hash: z.looseObject({ value: z.string().min(1), encoding: z.string().optional() }),
});

/** One record of Auth0's bulk user import file. Unknown fields make the record bad, as in Auth0. */
export const ZImportedUser = z.strictObject({
  email: z.email().max(254).optional(),
  email_verified: z.boolean().optional(),
  user_id: z.string().min(1).max(255).optional(),
  username: z.string().min(1).max(128).regex(/^\S+$/, "must not contain spaces").optional(),
  given_name: z.string().max(150).optional(),
  family_name: z.string().max(150).optional(),
  name: z.string().max(300).optional(),
  nickname: z.string().max(300).optional(),
  picture: z.url().optional(),
  blocked: z.boolean().optional(),
  app_metadata: ZMetadata.optional(),
  user_metadata: ZMetadata.optional(),
  password_hash: z.string().optional(),
  custom_password_hash: ZCustomPasswordHash.optional(),
  /** Auth0's enrolments; Portcullis imports TOTP (`{ totp: { secret } }`), the factor it serves. */
  mfa_factors: z.array(z.record(z.string(), z.unknown())).max(10).optional(),
});

const ZTotpFactor = z.strictObject({
  totp: z.strictObject({
    secret: z
      .string()
      .transform((v) => v.replace(/\s/g, "").toUpperCase())
      .pipe(z.string().regex(/^[A-Z2-7]{16,128}=*$/, "must be a base32 secret of at least 16 characters")),
  }),
});

/** The TOTP secret of a record's `mfa_factors`, or the reason they cannot be imported. */
function importedTotp(u: TImportedUser): { secret?: string; problem?: string } {
  const factors = u.mfa_factors ?? [];
  if (factors.length === 0) return {};
  if (factors.length > 1) return { problem: "mfa_factors: at most one totp factor can be imported" };
  const parsed = ZTotpFactor.safeParse(factors[0]);
  if (!parsed.success) {
    const kind = Object.keys(factors[0] ?? {})[0] ?? "empty";
    if (kind !== "totp")
      return { problem: `mfa_factors: "${kind}" factors are not supported; only totp can be imported` };
    return {
      problem: zodProblems(parsed.error, ["mfa_factors", 0]).map(formatProblem).join("; "),
    };
  }
  return { secret: parsed.data.totp.secret };
}

export type TImportedUser = z.infer<typeof ZImportedUser>;

export type TUserImportResult = { imported: number; errors: { index: number; reason: string }[] };

type TCandidate = {
  index: number;
  email: string | undefined;
  username: string | undefined;
  /** Full Portcullis id (`auth0|…`) when the record names one. */
  userId: string | undefined;
  passwordHash: string | undefined;
  /** Base32 TOTP secret from `mfa_factors`. */
  totpSecret: string | undefined;
  user: TImportedUser;
};

/** The stored hash for a record, or the reason it cannot be imported. */
function importedHash(u: TImportedUser): { hash?: string; problem?: string } {
  if (u.password_hash !== undefined && u.custom_password_hash !== undefined) {
    return { problem: "give either password_hash or custom_password_hash, not both" };
  }
  if (u.password_hash !== undefined) {
    return isBcryptHash(u.password_hash)
      ? { hash: u.password_hash }
      : { problem: "password_hash must be a bcrypt hash ($2a$, $2b$ or $2y$)" };
  }
  const custom = u.custom_password_hash;
  if (!custom) return {};
  const algorithm = custom.algorithm;
  if (!SUPPORTED_ALGORITHMS.includes(algorithm)) {
    return {
      problem: `custom_password_hash algorithm "${algorithm}" is not supported (supported: ${SUPPORTED_ALGORITHMS.join(", ")})`,
    };
  }
  // Both formats carry their own salt and parameters; extra inputs mean the hash was not made the way it claims.
  const extra = Object.keys(custom).filter((k) => k !== "algorithm" && k !== "hash");
  if (extra.length > 0) return { problem: `custom_password_hash.${extra[0]} is not used with ${algorithm}` };
  if (custom.hash.encoding !== undefined && custom.hash.encoding !== "utf8") {
    return { problem: `custom_password_hash.hash.encoding must be utf8 for ${algorithm}` };
  }
  const value = custom.hash.value;
  if (algorithm === "argon2") {
    return isArgon2Hash(value)
      ? { hash: value }
      : {
          problem:
            "custom_password_hash.hash.value must be an argon2 PHC string ($argon2id$v=19$m=…,t=…,p=…$salt$hash)",
        };
  }
  return isBcryptHash(value)
    ? { hash: value }
    : { problem: "custom_password_hash.hash.value must be a bcrypt hash ($2a$, $2b$ or $2y$)" };
}

/** Validate one record on its own; returns the candidate or the reasons it is bad. */
const PLAIN_PASSWORD_REFUSED =
  "password: plain-text passwords cannot be imported; give password_hash (bcrypt) or custom_password_hash, as Auth0's bulk import does";

function checkRecord(index: number, record: unknown): TCandidate | string[] {
  if (typeof record !== "object" || record === null || Array.isArray(record))
    return ["must be a JSON object"];
  const reasons: string[] = [];
  // Named on its own: "unknown field" would not tell someone moving from another system what to give instead.
  const { password, ...rest } = record as Record<string, unknown>;
  if (password !== undefined) reasons.push(PLAIN_PASSWORD_REFUSED);
  const parsed = ZImportedUser.safeParse(rest);
  if (!parsed.success) return [...reasons, ...zodProblems(parsed.error).map(formatProblem)];
  const u = parsed.data;
  if (u.email === undefined && u.username === undefined) reasons.push("email or username is required");
  if (u.user_id?.startsWith(USER_ID_PREFIX)) {
    // Auth0 would store auth0|auth0|…; a user moving from Auth0 expects to keep the id, so ask for the bare id.
    reasons.push(
      `user_id must not start with "${USER_ID_PREFIX}" (Portcullis adds it); remove the prefix to keep the same id`,
    );
  }
  const reserved = Object.keys(u.app_metadata ?? {}).filter((k) => RESERVED_APP_METADATA.includes(k));
  if (reserved.length > 0)
    reasons.push(`app_metadata must not contain ${reserved.map((k) => `"${k}"`).join(", ")}`);
  const { hash, problem } = importedHash(u);
  if (problem) reasons.push(problem);
  const totp = importedTotp(u);
  if (totp.problem) reasons.push(totp.problem);
  if (reasons.length > 0) return reasons;
  return {
    index,
    email: u.email?.toLowerCase(),
    username: u.username,
    userId: u.user_id === undefined ? undefined : USER_ID_PREFIX + u.user_id,
    passwordHash: hash,
    totpSecret: totp.secret,
    user: u,
  };
}

/** Reasons a candidate clashes with an earlier record of the same file (the first one wins). */
function findFileDuplicates(candidates: TCandidate[]): Map<number, string> {
  const bad = new Map<number, string>();
  const firstBy = {
    email: new Map<string, number>(),
    username: new Map<string, number>(),
    user_id: new Map<string, number>(),
  };
  for (const c of candidates) {
    const keys: [keyof typeof firstBy, string | undefined][] = [
      ["email", c.email],
      ["username", c.username],
      ["user_id", c.userId],
    ];
    const clashes: string[] = [];
    for (const [field, value] of keys) {
      if (value === undefined) continue;
      const first = firstBy[field].get(value);
      if (first !== undefined) clashes.push(`duplicate ${field} "${value}" (also in record ${first})`);
      else firstBy[field].set(value, c.index);
    }
    if (clashes.length > 0) bad.set(c.index, clashes.join("; "));
  }
  return bad;
}

type TUserUpdate = { id: string; userId: string; patch: TUserPatch };

/**
 * Why an upsert ends the user's sessions, if it does: it sets a password (whoever knew the old one may hold a
 * refresh token) or blocks the user — as when an admin does either (set-user-password.ts, admin/users.ts).
 */
function sessionEndingChange(patch: TUserPatch): "password_change" | "blocked" | null {
  if (patch.passwordHash !== undefined) return "password_change";
  return patch.blocked === true ? "blocked" : null;
}

function profileFields(u: TImportedUser) {
  return {
    emailVerified: u.email_verified,
    givenName: u.given_name,
    familyName: u.family_name,
    name: u.name,
    nickname: u.nickname,
    picture: u.picture,
    blocked: u.blocked,
    appMetadata: u.app_metadata,
    userMetadata: u.user_metadata,
  };
}

/**
 * Decide insert, update or refusal for one record against the users already stored. Without upsert any match
 * (email or username in the connection, user_id anywhere) refuses the record. With upsert, the user with the same
 * email (or username, for records without email) is updated with the profile fields and password the record gives.
 */
function resolveAgainstStored(
  c: TCandidate,
  stored: TUserIdentity[],
  connectionId: string,
  isUpsert: boolean,
): { insert: TUserWrite } | { update: TUserUpdate } | { problem: string } {
  const sameEmail = c.email
    ? stored.find((s) => s.connectionId === connectionId && s.email === c.email)
    : undefined;
  const sameUsername = c.username
    ? stored.find((s) => s.connectionId === connectionId && s.username === c.username)
    : undefined;
  const sameId = c.userId ? stored.find((s) => s.userId === c.userId) : undefined;
  const target = isUpsert ? (c.email ? sameEmail : sameUsername) : undefined;
  const clashes: string[] = [];
  if (sameEmail && sameEmail !== target)
    clashes.push(`a user with email "${c.email}" already exists in this connection`);
  if (sameUsername && sameUsername !== target)
    clashes.push(`a user with username "${c.username}" already exists in this connection`);
  if (sameId && sameId !== target) clashes.push(`user_id "${c.userId}" is already taken`);
  if (target && c.userId && target.userId !== c.userId)
    clashes.push(`user_id "${c.userId}" differs from the existing user's id "${target.userId}"`);
  if (clashes.length > 0) return { problem: clashes.join("; ") };
  if (target) {
    return {
      update: {
        id: target.id,
        userId: target.userId,
        patch: { ...profileFields(c.user), ...(c.passwordHash ? { passwordHash: c.passwordHash } : {}) },
      },
    };
  }
  return {
    insert: {
      userId: c.userId ?? USER_ID_PREFIX + randomBytes(12).toString("hex"),
      connectionId,
      email: c.email ?? null,
      username: c.username ?? null,
      passwordHash: c.passwordHash ?? null,
      ...profileFields(c.user),
    },
  };
}

/**
 * Import users in Auth0's bulk user import format (a JSON array) into one database connection. Each bad record
 * (schema, unsupported hash algorithm, duplicate within the file or with stored users) is reported by index with
 * its reason; the good records are written in one transaction, so a failure leaves nothing half-imported. Password
 * hashes are stored as given (bcrypt, Argon2) and upgraded to Argon2id on the user's next login. An upsert that
 * sets an existing user's password or blocks them revokes their refresh tokens in that transaction, recorded
 * (`sapi` "end user sessions", by `actor`, the CLI by default) for each user who had any.
 */
export async function importUsers(
  deps: TDeps,
  connectionName: string,
  jsonText: string,
  opts: { upsert?: boolean; actor?: TActor } = {},
): Promise<TUserImportResult> {
  const connection = await findConnectionByName(deps.db, connectionName);
  if (!connection) throw new Error(`Unknown connection "${connectionName}".`);
  let records: unknown;
  try {
    records = JSON.parse(jsonText);
  } catch (err) {
    throw new Error(`Invalid users file: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
  if (!Array.isArray(records)) throw new Error("Invalid users file: expected a JSON array of users.");

  const errors: TUserImportResult["errors"] = [];
  const candidates: TCandidate[] = [];
  records.forEach((record: unknown, index) => {
    const checked = checkRecord(index, record);
    if (Array.isArray(checked)) errors.push({ index, reason: checked.join("; ") });
    else candidates.push(checked);
  });
  const duplicates = findFileDuplicates(candidates);
  for (const [index, reason] of duplicates) errors.push({ index, reason });
  const unique = candidates.filter((c) => !duplicates.has(c.index));

  const stored = await findImportConflicts(deps.db, connection.id, {
    emails: unique.flatMap((c) => (c.email ? [c.email] : [])),
    usernames: unique.flatMap((c) => (c.username ? [c.username] : [])),
    userIds: unique.flatMap((c) => (c.userId ? [c.userId] : [])),
  });
  const inserts: TUserWrite[] = [];
  const updates: TUserUpdate[] = [];
  const totps: TImportedTotp[] = [];
  for (const c of unique) {
    const outcome = resolveAgainstStored(c, stored, connection.id, opts.upsert === true);
    if ("problem" in outcome) {
      errors.push({ index: c.index, reason: outcome.problem });
      continue;
    }
    if ("insert" in outcome) inserts.push(outcome.insert);
    else updates.push(outcome.update);
    if (c.totpSecret) {
      // Sealed like every TOTP secret at rest; the enrolment is active at once, as it was on Auth0.
      const userRef = "insert" in outcome ? { userId: outcome.insert.userId } : { id: outcome.update.id };
      totps.push({ ...userRef, secretEnc: deps.box.seal("user-totp-seed", c.totpSecret) });
    }
  }

  if (inserts.length > 0 || updates.length > 0) {
    try {
      const now = deps.clock.now();
      await deps.db.transaction(async (q) => {
        await applyUserImport(q, inserts, updates, totps, now);
        for (const u of updates) {
          const reason = sessionEndingChange(u.patch);
          if (!reason) continue;
          const revoked = await revokeUserRefreshTokens(q, [u.id], now);
          if (revoked === 0) continue;
          await recordAdminChange(q, now, opts.actor ?? CLI_ACTOR, {
            action: "end user sessions",
            target: u.userId,
            after: { reason, revoked_refresh_tokens: revoked },
          });
        }
      });
    } catch (err) {
      // Another writer may have added a clashing user since the check; the transaction rolled everything back.
      throw new Error(
        `User import failed and nothing was imported: ${err instanceof Error ? err.message : String(err)}`,
        {
          cause: err,
        },
      );
    }
  }
  // The failure floor must cover imported kinds (bcrypt at cost 12, say) before anyone guesses at such an account.
  await deps.hasher.learnStoredHashKinds(
    [...inserts, ...updates.map((u) => u.patch)].flatMap((u) => (u.passwordHash ? [u.passwordHash] : [])),
  );
  errors.sort((a, b) => a.index - b.index);
  return { imported: inserts.length + updates.length, errors };
}
