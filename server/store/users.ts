import { newRowId, readDate, type TSqlRunner, type TSqlValue, type TSqlWriter } from "./raw-sql.ts";
import { parseJsonColumn } from "./json.ts";

/** Every column of the `User` table, in schema order. */
export const USER_COLUMNS = [
  "id",
  "userId",
  "connectionId",
  "email",
  "emailVerified",
  "username",
  "name",
  "nickname",
  "givenName",
  "familyName",
  "picture",
  "phoneNumber",
  "phoneVerified",
  "passwordHash",
  "blocked",
  "appMetadata",
  "userMetadata",
  "loginsCount",
  "lastLogin",
  "lastIp",
  "lastPasswordReset",
  "passwordLeakedAt",
  "createdAt",
  "updatedAt",
] as const;

const SELECT = USER_COLUMNS.map((c) => `"User"."${c}"`).join(",");
/** Every column of the `User` table, table-qualified, for other store modules' SELECTs (read with `toUser`). */
export const USER_SELECT = SELECT;

export type TUserRecord = {
  id: string;
  userId: string;
  connectionId: string;
  email: string | null;
  emailVerified: boolean;
  username: string | null;
  name: string | null;
  nickname: string | null;
  givenName: string | null;
  familyName: string | null;
  picture: string | null;
  phoneNumber: string | null;
  phoneVerified: boolean;
  passwordHash: string | null;
  blocked: boolean;
  appMetadata: Record<string, unknown>;
  userMetadata: Record<string, unknown>;
  loginsCount: number;
  lastLogin: Date | null;
  lastIp: string | null;
  lastPasswordReset: Date | null;
  /** When the current password was found in a breach corpus (cleared when it changes). */
  passwordLeakedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
};

type TRow = Record<string, unknown>;

const optText = (v: unknown) => (v === null || v === undefined ? null : String(v));
const optDate = (v: unknown) => (v === null || v === undefined ? null : readDate(v));

/** A `User` row (selected with `USER_SELECT`) as a record. */
export function toUser(r: TRow): TUserRecord {
  return {
    id: String(r.id),
    userId: String(r.userId),
    connectionId: String(r.connectionId),
    email: optText(r.email),
    emailVerified: Boolean(r.emailVerified),
    username: optText(r.username),
    name: optText(r.name),
    nickname: optText(r.nickname),
    givenName: optText(r.givenName),
    familyName: optText(r.familyName),
    picture: optText(r.picture),
    phoneNumber: optText(r.phoneNumber),
    phoneVerified: Boolean(r.phoneVerified),
    passwordHash: optText(r.passwordHash),
    blocked: Boolean(r.blocked),
    appMetadata: parseJsonColumn<Record<string, unknown>>(optText(r.appMetadata), {}),
    userMetadata: parseJsonColumn<Record<string, unknown>>(optText(r.userMetadata), {}),
    loginsCount: Number(r.loginsCount),
    lastLogin: optDate(r.lastLogin),
    lastIp: optText(r.lastIp),
    lastPasswordReset: optDate(r.lastPasswordReset),
    passwordLeakedAt: optDate(r.passwordLeakedAt),
    createdAt: readDate(r.createdAt),
    updatedAt: readDate(r.updatedAt),
  };
}

/** Find a user of one connection by email (case-insensitive) or username, in one indexed query. */
export async function findUserByIdentifier(
  q: TSqlRunner,
  connectionId: string,
  identifier: string,
): Promise<TUserRecord | null> {
  const lower = identifier.toLowerCase();
  const rows = await q.all<TRow>(
    `SELECT ${SELECT} FROM "User" WHERE "connectionId" = ? AND ("email" = ? OR "username" = ?) LIMIT 2`,
    [connectionId, lower, identifier],
  );
  // An email match wins over a username that happens to look like someone else's email.
  const row = rows.find((r) => r.email === lower) ?? rows[0];
  return row ? toUser(row) : null;
}

/** Find a user by internal id. */
export async function findUserById(q: TSqlRunner, id: string): Promise<TUserRecord | null> {
  const rows = await q.all<TRow>(`SELECT ${SELECT} FROM "User" WHERE "id" = ?`, [id]);
  return rows[0] ? toUser(rows[0]) : null;
}

/** Find a user by Auth0-style user id (the token `sub`). */
export async function findUserByUserId(q: TSqlRunner, userId: string): Promise<TUserRecord | null> {
  const rows = await q.all<TRow>(`SELECT ${SELECT} FROM "User" WHERE "userId" = ?`, [userId]);
  return rows[0] ? toUser(rows[0]) : null;
}

/** Every user with this email (stored lower-cased, so the match is case-insensitive and exact), in any connection. */
export async function findUsersByEmail(q: TSqlRunner, email: string): Promise<TUserRecord[]> {
  const rows = await q.all<TRow>(`SELECT ${SELECT} FROM "User" WHERE "email" = ? ORDER BY "createdAt"`, [
    email.toLowerCase(),
  ]);
  return rows.map(toUser);
}

/** Users of one connection (for export), oldest first. */
export async function listUsersOfConnection(q: TSqlRunner, connectionId: string): Promise<TUserRecord[]> {
  const rows = await q.all<TRow>(
    `SELECT ${SELECT} FROM "User" WHERE "connectionId" = ? ORDER BY "createdAt"`,
    [connectionId],
  );
  return rows.map(toUser);
}

/** `text` as a LIKE pattern matching itself: `%`, `_` and the escape character are escaped with `\`. */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * Users whose email or username contains `text`, ignoring case (or whose user id is `text`), optionally in one
 * connection, newest first. `text` is matched literally (`%` and `_` are characters, not wildcards), and the same
 * way on SQLite and PostgreSQL.
 */
export async function searchUsers(
  q: TSqlRunner,
  opts: { text?: string; connectionId?: string; take: number },
): Promise<(TUserRecord & { connectionName: string })[]> {
  const text = opts.text?.trim();
  const where: string[] = [];
  const params: TSqlValue[] = [];
  if (opts.connectionId) {
    where.push(`"User"."connectionId" = ?`);
    params.push(opts.connectionId);
  }
  if (text) {
    const pattern = `%${likeLiteral(text.toLowerCase())}%`;
    where.push(
      `(LOWER("User"."email") LIKE ? ESCAPE '\\' OR LOWER("User"."username") LIKE ? ESCAPE '\\' OR "User"."userId" = ?)`,
    );
    params.push(pattern, pattern, text);
  }
  const rows = await q.all<TRow>(
    `SELECT ${SELECT}, "Connection"."name" AS "connectionName" FROM "User"
     JOIN "Connection" ON "Connection"."id" = "User"."connectionId"
     ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
     ORDER BY "User"."createdAt" DESC LIMIT ?`,
    [...params, opts.take],
  );
  return rows.map((r) => ({ ...toUser(r), connectionName: String(r.connectionName) }));
}

export type TUserWrite = {
  userId: string;
  connectionId: string;
  email?: string | null;
  emailVerified?: boolean;
  username?: string | null;
  name?: string | null;
  nickname?: string | null;
  givenName?: string | null;
  familyName?: string | null;
  picture?: string | null;
  phoneNumber?: string | null;
  phoneVerified?: boolean;
  passwordHash?: string | null;
  blocked?: boolean;
  appMetadata?: Record<string, unknown>;
  userMetadata?: Record<string, unknown>;
};

export type TUserPatch = Omit<Partial<TUserWrite>, "userId" | "connectionId">;

// The columns an insert writes; the others keep their schema defaults (no logins yet, never leaked).
const INSERT_COLUMNS = USER_COLUMNS.filter(
  (c) => !["loginsCount", "lastLogin", "lastIp", "lastPasswordReset", "passwordLeakedAt"].includes(c),
);
const INSERT_ROW = `(${INSERT_COLUMNS.map(() => "?").join(",")})`;
const INSERT_SQL = `INSERT INTO "User" (${INSERT_COLUMNS.map((c) => `"${c}"`).join(",")}) VALUES `;

function insertValues(w: TUserWrite, at: Date): TSqlValue[] {
  return [
    newRowId(),
    w.userId,
    w.connectionId,
    w.email ? w.email.toLowerCase() : (w.email ?? null),
    w.emailVerified ?? false,
    w.username ?? null,
    w.name ?? null,
    w.nickname ?? null,
    w.givenName ?? null,
    w.familyName ?? null,
    w.picture ?? null,
    w.phoneNumber ?? null,
    w.phoneVerified ?? false,
    w.passwordHash ?? null,
    w.blocked ?? false,
    w.appMetadata ? JSON.stringify(w.appMetadata) : "{}",
    w.userMetadata ? JSON.stringify(w.userMetadata) : "{}",
    at,
    at,
  ];
}

/** Insert one user; fails with a unique violation (`isUniqueViolation`) when the user id, email or username is taken. */
export async function insertUser(q: TSqlRunner, w: TUserWrite, at: Date): Promise<void> {
  await q.run(INSERT_SQL + INSERT_ROW, insertValues(w, at));
}

// Rows per multi-row INSERT: 19 parameters each stays far below both databases' bound-parameter limits. Full
// batches share one statement text; the rest go one by one, so a bulk import prepares two statements, not one per size.
const INSERT_BATCH = 100;

/** Insert users in one transaction: all or none. */
export async function insertUsers(q: TSqlRunner, users: TUserWrite[], at: Date): Promise<void> {
  await q.transaction(async (tx) => {
    let i = 0;
    const batchSql = INSERT_SQL + Array.from({ length: INSERT_BATCH }, () => INSERT_ROW).join(",");
    for (; i + INSERT_BATCH <= users.length; i += INSERT_BATCH) {
      await tx.run(
        batchSql,
        users.slice(i, i + INSERT_BATCH).flatMap((u) => insertValues(u, at)),
      );
    }
    for (; i < users.length; i++) await insertUser(tx, users[i]!, at);
  });
}

// The columns a patch may set, by patch key (a fixed list: patch keys never reach the SQL text otherwise).
const PATCH_COLUMNS = {
  email: "email",
  emailVerified: "emailVerified",
  username: "username",
  name: "name",
  nickname: "nickname",
  givenName: "givenName",
  familyName: "familyName",
  picture: "picture",
  phoneNumber: "phoneNumber",
  phoneVerified: "phoneVerified",
  passwordHash: "passwordHash",
  blocked: "blocked",
  appMetadata: "appMetadata",
  userMetadata: "userMetadata",
} as const satisfies Record<keyof TUserPatch, (typeof USER_COLUMNS)[number]>;

/**
 * Change the given fields of one user (a field left undefined keeps its value; metadata documents are replaced
 * whole). Fails with a unique violation when the new email or username is taken in the connection.
 */
export async function updateUserProfile(
  q: TSqlRunner,
  id: string,
  patch: TUserPatch,
  at: Date,
): Promise<void> {
  const sets: string[] = [];
  const params: TSqlValue[] = [];
  for (const key of Object.keys(PATCH_COLUMNS) as (keyof TUserPatch)[]) {
    const v = patch[key];
    if (v === undefined) continue;
    if (key === "appMetadata" || key === "userMetadata") {
      // An empty (absent) document keeps the stored one, as before.
      if (!v) continue;
      params.push(JSON.stringify(v));
    } else if (key === "email") {
      params.push(typeof v === "string" && v ? v.toLowerCase() : (v as string | null));
    } else {
      params.push(v as TSqlValue);
    }
    sets.push(`"${PATCH_COLUMNS[key]}" = ?`);
  }
  await q.run(`UPDATE "User" SET ${[...sets, `"updatedAt" = ?`].join(", ")} WHERE "id" = ?`, [
    ...params,
    at,
    id,
  ]);
}

/**
 * Set the admin block flag; returns the user's internal id and previous value, or null if there is no such user.
 */
export async function setUserBlocked(
  q: TSqlRunner,
  userId: string,
  blocked: boolean,
  at: Date,
): Promise<{ id: string; blocked: boolean } | null> {
  return q.transaction(async (tx) => {
    const rows = await tx.all<TRow>(`SELECT "id","blocked" FROM "User" WHERE "userId" = ?`, [userId]);
    const before = rows[0];
    if (!before) return null;
    await tx.run(`UPDATE "User" SET "blocked" = ?, "updatedAt" = ? WHERE "id" = ?`, [
      blocked,
      at,
      before.id as string,
    ]);
    return { id: String(before.id), blocked: Boolean(before.blocked) };
  });
}

/** Record a successful login (count, time, IP, upgraded hash). */
export async function recordLogin(
  q: TSqlWriter,
  id: string,
  at: Date,
  ip: string | undefined,
  upgradedHash?: string,
): Promise<void> {
  if (upgradedHash) {
    await q.run(
      `UPDATE "User" SET "loginsCount" = "loginsCount" + 1, "lastLogin" = ?, "lastIp" = ?, "passwordHash" = ?, "updatedAt" = ? WHERE "id" = ?`,
      [at, ip ?? null, upgradedHash, at, id],
    );
  } else {
    await q.run(
      `UPDATE "User" SET "loginsCount" = "loginsCount" + 1, "lastLogin" = ?, "lastIp" = ?, "updatedAt" = ? WHERE "id" = ?`,
      [at, ip ?? null, at, id],
    );
  }
}

/**
 * Apply rule metadata patches (Auth0 PATCH semantics: top-level keys merge, `null` deletes a key) to one user. Call
 * inside a transaction: on PostgreSQL the row is locked first, so concurrent logins of the same user never lose a
 * write; on SQLite the transaction already holds the write lock.
 */
export async function applyMetadataPatch(
  q: TSqlRunner,
  id: string,
  patch: { app: Record<string, unknown> | null; user: Record<string, unknown> | null },
  at: Date,
): Promise<void> {
  if (!patch.app && !patch.user) return;
  const rows = await q.all<{ appMetadata: string; userMetadata: string }>(
    `SELECT "appMetadata","userMetadata" FROM "User" WHERE "id" = ?${q.kind === "postgres" ? " FOR UPDATE" : ""}`,
    [id],
  );
  const row = rows[0];
  if (!row) return;
  const merge = (text: string, p: Record<string, unknown> | null) => {
    const current = parseJsonColumn<Record<string, unknown>>(text, {});
    if (!p) return text;
    for (const [k, v] of Object.entries(p)) {
      if (v === null) delete current[k];
      else current[k] = v;
    }
    return JSON.stringify(current);
  };
  await q.run(`UPDATE "User" SET "appMetadata" = ?, "userMetadata" = ?, "updatedAt" = ? WHERE "id" = ?`, [
    merge(row.appMetadata, patch.app),
    merge(row.userMetadata, patch.user),
    at,
    id,
  ]);
}

// The algorithm-and-cost prefix of each stored password hash (`$2b$12$`, `$argon2id$v=19$m=…,t=…,p=…$`), without
// salt or digest. A full scan: run once at start, in the background.
const HASH_KIND_SQL = {
  sqlite: `SELECT DISTINCT CASE WHEN "passwordHash" LIKE '$2%' THEN substr("passwordHash", 1, 7)
    ELSE substr("passwordHash", 1, instr("passwordHash", ',p=') + 2
      + instr(substr("passwordHash", instr("passwordHash", ',p=') + 3), '$')) END AS "kind"
    FROM "User" WHERE "passwordHash" LIKE '$2%' OR "passwordHash" LIKE '$argon2%,p=%'`,
  postgres: `SELECT DISTINCT substring("passwordHash" from
    '^\\$2[aby]\\$[0-9]{2}\\$|^\\$argon2[a-z]+\\$v=[0-9]+\\$m=[0-9]+,t=[0-9]+,p=[0-9]+\\$') AS "kind"
    FROM "User" WHERE "passwordHash" IS NOT NULL`,
} as const;

/** The distinct kinds (algorithm and cost prefixes) of the users' stored password hashes. */
export async function listPasswordHashKinds(q: TSqlRunner): Promise<string[]> {
  const rows = await q.all<{ kind: string | null }>(HASH_KIND_SQL[q.kind]);
  return rows.flatMap((r) => (r.kind ? [r.kind] : []));
}

/** Delete a user's row (internal id); false when it was already gone (a concurrent deletion). */
export async function deleteUserRow(q: TSqlRunner, id: string): Promise<boolean> {
  return (await q.run(`DELETE FROM "User" WHERE "id" = ?`, [id])) === 1;
}
