import { z } from "zod";
import type { TDeps } from "../config/deps.ts";
import { findUserByUserId, updateUserProfile, type TUserRecord } from "../store/users.ts";
import { isUniqueViolation } from "../store/raw-sql.ts";
import { RESERVED_APP_METADATA } from "../auth/reserved-app-metadata.ts";
import { recordAdminChange } from "./audit.ts";
import { parseAdminInput } from "./parse-admin-input.ts";
import { AdminError } from "./admin-error.ts";
import { assertAdminAllowed } from "./admin-access.ts";
import type { TAdmin } from "./session.ts";

/** A metadata document: a JSON object (not an array, string or null), at most 16 KB as JSON like Auth0's. */
export const ZMetadataObject = z
  .custom<Record<string, unknown>>(
    (v) => typeof v === "object" && v !== null && !Array.isArray(v),
    "must be a JSON object",
  )
  .refine((v) => JSON.stringify(v).length <= 16_384, "must be at most 16 KB of JSON");

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .transform((v) => (v === "" ? null : v))
    .nullable();

/** Profile fields an admin may edit (Auth0 names). Empty text clears a field. */
export const ZUserProfile = z.strictObject({
  email: z
    .union([z.email("must be an email address").max(254), z.literal("")])
    .transform((v) => (v === "" ? null : v.toLowerCase()))
    .nullable(),
  email_verified: z.boolean(),
  username: z
    .union([z.string().min(1).max(128).regex(/^\S+$/, "must not contain spaces"), z.literal("")])
    .transform((v) => (v === "" ? null : v))
    .nullable(),
  name: optionalText(300),
  nickname: optionalText(300),
  given_name: optionalText(150),
  family_name: optionalText(150),
  picture: z
    .union([z.url("must be a URL"), z.literal("")])
    .transform((v) => (v === "" ? null : v))
    .nullable(),
  user_metadata: ZMetadataObject,
  app_metadata: ZMetadataObject.refine(
    (v) => !Object.keys(v).some((k) => RESERVED_APP_METADATA.includes(k)),
    `must not contain ${RESERVED_APP_METADATA.join(", ")}`,
  ),
});

export const ZUserPatch = ZUserProfile.partial();
export type TUserProfileInput = z.infer<typeof ZUserProfile>;

/** The editable profile as the form and the audit record show it (never the password hash). */
export function editableProfile(u: TUserRecord) {
  return {
    email: u.email,
    email_verified: u.emailVerified,
    username: u.username,
    name: u.name,
    nickname: u.nickname,
    given_name: u.givenName,
    family_name: u.familyName,
    picture: u.picture,
    user_metadata: u.userMetadata,
    app_metadata: u.appMetadata,
  };
}

/** A unique-constraint violation turned into a field message; anything else is rethrown. */
export function userConflict(err: unknown): never {
  if (isUniqueViolation(err)) {
    // SQLite names the columns in the message, PostgreSQL in the constraint name and the detail.
    const e = err as { message?: unknown; constraint?: unknown; detail?: unknown };
    const field = [e.message, e.constraint, e.detail].map(String).join(" ").includes("username")
      ? "username"
      : "email";
    const message = `A user with that ${field} already exists in this connection.`;
    throw AdminError.conflict(message, { fields: { [field]: message } });
  }
  throw err;
}

/**
 * Edit a user's profile and metadata (PATCH semantics: given fields replace; metadata documents are replaced
 * whole, as the JSON editor sends them). A user keeps an email or a username. Audited with the changed fields'
 * values before and after.
 */
export async function updateUser(
  deps: TDeps,
  admin: TAdmin,
  userId: string,
  body: unknown,
): Promise<ReturnType<typeof editableProfile>> {
  assertAdminAllowed(admin, "users:write");
  const patch = parseAdminInput(ZUserPatch, body);
  const user = await findUserByUserId(deps.db, userId);
  if (!user) throw AdminError.notFound("No such user.");
  const before = editableProfile(user);
  const after = { ...before, ...patch };
  if (!after.email && !after.username) {
    const message = "A user needs an email or a username.";
    throw AdminError.invalid(message, { fields: { email: message } });
  }
  const changed = (Object.keys(patch) as (keyof typeof before)[]).filter(
    (k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]),
  );
  const pick = (o: typeof before) => Object.fromEntries(changed.map((k) => [k, o[k]]));
  const now = deps.clock.now();
  try {
    await deps.db.transaction(async (q) => {
      await updateUserProfile(
        q,
        user.id,
        {
          email: after.email,
          emailVerified: after.email_verified,
          username: after.username,
          name: after.name,
          nickname: after.nickname,
          givenName: after.given_name,
          familyName: after.family_name,
          picture: after.picture,
          userMetadata: after.user_metadata,
          appMetadata: after.app_metadata,
        },
        now,
      );
      await recordAdminChange(q, now, admin, {
        action: "update user",
        target: user.userId,
        before: pick(before),
        after: pick(after),
      });
    });
  } catch (err) {
    userConflict(err);
  }
  return after;
}
