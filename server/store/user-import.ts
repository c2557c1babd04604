import { randomBytes } from "node:crypto";
import type { TSqlRunner } from "./raw-sql.ts";
import { deleteUserAuthenticators, insertImportedTotp } from "./mfa-authenticators.ts";
import {
  findUserById,
  findUserByUserId,
  insertUsers,
  updateUserProfile,
  type TUserPatch,
  type TUserWrite,
} from "./users.ts";

// The `User` table's queries for the bulk user import (server/tenant/import-users.ts).

type TRow = Record<string, unknown>;

const optText = (v: unknown) => (v === null || v === undefined ? null : String(v));

export type TUserIdentity = {
  id: string;
  userId: string;
  connectionId: string;
  email: string | null;
  username: string | null;
};

// Keeps every IN list well under SQLite's and PostgreSQL's bound-parameter limits.
const IN_CHUNK = 500;

function chunked<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += IN_CHUNK) out.push(items.slice(i, i + IN_CHUNK));
  return out;
}

/**
 * Users an import could collide with: the same email (lower-cased) or username in the connection, or the same
 * user_id anywhere (user ids are unique across connections).
 */
export async function findImportConflicts(
  q: TSqlRunner,
  connectionId: string,
  keys: { emails: string[]; usernames: string[]; userIds: string[] },
): Promise<TUserIdentity[]> {
  const found = new Map<string, TUserIdentity>();
  const select = `SELECT "id","userId","connectionId","email","username" FROM "User" WHERE`;
  const inList = (n: number) => `(${Array.from({ length: n }, () => "?").join(",")})`;
  const add = (rows: TRow[]) =>
    rows.forEach((r) =>
      found.set(String(r.id), {
        id: String(r.id),
        userId: String(r.userId),
        connectionId: String(r.connectionId),
        email: optText(r.email),
        username: optText(r.username),
      }),
    );
  for (const part of chunked(keys.emails.map((e) => e.toLowerCase()))) {
    add(
      await q.all<TRow>(`${select} "connectionId" = ? AND "email" IN ${inList(part.length)}`, [
        connectionId,
        ...part,
      ]),
    );
  }
  for (const part of chunked(keys.usernames)) {
    add(
      await q.all<TRow>(`${select} "connectionId" = ? AND "username" IN ${inList(part.length)}`, [
        connectionId,
        ...part,
      ]),
    );
  }
  for (const part of chunked(keys.userIds)) {
    add(await q.all<TRow>(`${select} "userId" IN ${inList(part.length)}`, part));
  }
  return [...found.values()];
}

/** A TOTP enrolment to import for a user given by internal id (update) or public user id (insert). */
export type TImportedTotp = ({ id: string } | { userId: string }) & { secretEnc: string };

/**
 * Insert new users, update matched ones and replace imported users' TOTP enrolments (bulk import with upsert), in
 * one transaction: all or none. Run it inside the caller's transaction to add the caller's own writes.
 */
export async function applyUserImport(
  q: TSqlRunner,
  inserts: TUserWrite[],
  updates: { id: string; patch: TUserPatch }[],
  totps: TImportedTotp[],
  at: Date,
): Promise<void> {
  await q.transaction(async (tx) => {
    await insertUsers(tx, inserts, at);
    for (const u of updates) await updateUserProfile(tx, u.id, u.patch, at);
    for (const t of totps) {
      const row = "id" in t ? await findUserById(tx, t.id) : await findUserByUserId(tx, t.userId);
      if (!row) throw new Error(`No user ${"id" in t ? t.id : t.userId} to import a TOTP enrolment for.`);
      // An imported enrolment replaces whatever the user had.
      await deleteUserAuthenticators(tx, row.id);
      await insertImportedTotp(tx, {
        publicId: `totp|dev_${randomBytes(12).toString("base64url")}`,
        userId: row.id,
        secretEnc: t.secretEnc,
        at,
      });
    }
  });
}
