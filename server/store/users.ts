import { randomBytes } from "node:crypto";
import type { TSqlRunner } from "./raw-sql.ts";
import type { TDb, TTx } from "./db.ts";
import { parseJsonColumn } from "./json.ts";
import { deleteUserAuthenticators, insertImportedTotp } from "./mfa.ts";

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

type TUserRow = Omit<TUserRecord, "appMetadata" | "userMetadata"> & {
  appMetadata: string;
  userMetadata: string;
};

function toRecord(row: TUserRow): TUserRecord {
  return {
    ...row,
    appMetadata: parseJsonColumn<Record<string, unknown>>(row.appMetadata, {}),
    userMetadata: parseJsonColumn<Record<string, unknown>>(row.userMetadata, {}),
  };
}

/** Find a user of one connection by email (case-insensitive) or username, in one query. */
export async function findUserByIdentifier(
  db: TDb,
  connectionId: string,
  identifier: string,
): Promise<TUserRecord | null> {
  const lower = identifier.toLowerCase();
  const rows = await db.user.findMany({
    where: { connectionId, OR: [{ email: lower }, { username: identifier }] },
    take: 2,
  });
  // An email match wins over a username that happens to look like someone else's email.
  const row = rows.find((r) => r.email === lower) ?? rows[0];
  return row ? toRecord(row) : null;
}

/** A TOTP enrolment to import for a user given by internal id (update) or public user id (insert). */
export type TImportedTotp = ({ id: string } | { userId: string }) & { secretEnc: string };

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

function userData(w: TUserWrite) {
  return {
    ...w,
    email: w.email ? w.email.toLowerCase() : w.email,
    appMetadata: w.appMetadata ? JSON.stringify(w.appMetadata) : undefined,
    userMetadata: w.userMetadata ? JSON.stringify(w.userMetadata) : undefined,
  };
}

/** Insert users in one transaction: all or none. */
export async function insertUsers(db: TDb, users: TUserWrite[]): Promise<void> {
  await db.$transaction(async (tx) => {
    for (const u of users) await tx.user.create({ data: userData(u) });
  });
}

/** Users of a connection whose email or username is among `keys` (to find import conflicts). */
export async function findExistingIdentities(
  db: TDb,
  connectionId: string,
  emails: string[],
  usernames: string[],
): Promise<{ email: string | null; username: string | null }[]> {
  return db.user.findMany({
    where: {
      connectionId,
      OR: [{ email: { in: emails.map((e) => e.toLowerCase()) } }, { username: { in: usernames } }],
    },
    select: { email: true, username: true },
  });
}

/** Users of one connection (for export), oldest first. */
export async function listUsersOfConnection(db: TDb, connectionId: string): Promise<TUserRecord[]> {
  const rows = await db.user.findMany({ where: { connectionId }, orderBy: { createdAt: "asc" } });
  return rows.map(toRecord);
}

/** Set or clear the admin block flag. */
export async function setUserBlocked(db: TDb, userId: string, blocked: boolean): Promise<void> {
  await db.user.update({ where: { userId }, data: { blocked } });
}

/** Find a user by Auth0-style user id (the token `sub`). */
export async function findUserByUserId(db: TDb, userId: string): Promise<TUserRecord | null> {
  const row = await db.user.findUnique({ where: { userId } });
  return row ? toRecord(row) : null;
}

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
  db: TDb,
  connectionId: string,
  keys: { emails: string[]; usernames: string[]; userIds: string[] },
): Promise<TUserIdentity[]> {
  const select = { id: true, userId: true, connectionId: true, email: true, username: true } as const;
  const found = new Map<string, TUserIdentity>();
  const add = (rows: TUserIdentity[]) => rows.forEach((r) => found.set(r.id, r));
  for (const part of chunked(keys.emails.map((e) => e.toLowerCase()))) {
    add(await db.user.findMany({ where: { connectionId, email: { in: part } }, select }));
  }
  for (const part of chunked(keys.usernames)) {
    add(await db.user.findMany({ where: { connectionId, username: { in: part } }, select }));
  }
  for (const part of chunked(keys.userIds)) {
    add(await db.user.findMany({ where: { userId: { in: part } }, select }));
  }
  return [...found.values()];
}

export type TUserPatch = Omit<Partial<TUserWrite>, "userId" | "connectionId">;

/**
 * Insert new users and update matched ones (bulk import with upsert) in one transaction: all or none. Inserts go
 * in batches so large files stay within the transaction timeout. `afterWrites` adds the caller's own writes (the
 * sessions a changed password ends, their audit records) to the same transaction.
 */
export async function applyUserImport(
  db: TDb,
  inserts: TUserWrite[],
  updates: { id: string; patch: TUserPatch }[],
  totps: TImportedTotp[] = [],
  at: Date = new Date(),
  afterWrites?: (tx: TTx) => Promise<void>,
): Promise<void> {
  await db.$transaction(
    async (tx) => {
      for (const part of chunked(inserts)) await tx.user.createMany({ data: part.map(userData) });
      for (const u of updates) {
        const { appMetadata, userMetadata, email, ...rest } = u.patch;
        await tx.user.update({
          where: { id: u.id },
          data: {
            ...rest,
            ...(email !== undefined ? { email: email ? email.toLowerCase() : email } : {}),
            ...(appMetadata ? { appMetadata: JSON.stringify(appMetadata) } : {}),
            ...(userMetadata ? { userMetadata: JSON.stringify(userMetadata) } : {}),
          },
        });
      }
      for (const t of totps) {
        const row = await tx.user.findUniqueOrThrow({
          where: "id" in t ? { id: t.id } : { userId: t.userId },
          select: { id: true },
        });
        // An imported enrolment replaces whatever the user had.
        await deleteUserAuthenticators(tx, row.id);
        await insertImportedTotp(tx, {
          publicId: `totp|dev_${randomBytes(12).toString("base64url")}`,
          userId: row.id,
          secretEnc: t.secretEnc,
          at,
        });
      }
      await afterWrites?.(tx);
    },
    { maxWait: 10_000, timeout: 120_000 },
  );
}

/** Users whose email or username contains `text`, optionally in one connection, newest first. */
export async function searchUsers(
  db: TDb,
  opts: { text?: string; connectionId?: string; take: number },
): Promise<(TUserRecord & { connectionName: string })[]> {
  const text = opts.text?.trim();
  const rows = await db.user.findMany({
    where: {
      ...(opts.connectionId ? { connectionId: opts.connectionId } : {}),
      ...(text
        ? {
            OR: [
              { email: { contains: text.toLowerCase() } },
              { username: { contains: text } },
              { userId: text },
            ],
          }
        : {}),
    },
    include: { connection: { select: { name: true } } },
    orderBy: { createdAt: "desc" },
    take: opts.take,
  });
  return rows.map(({ connection, ...r }) => ({ ...toRecord(r), connectionName: connection.name }));
}

/** Set the admin block flag inside a transaction; returns the user's internal id and previous value, or null if no such user. */
export async function setUserBlockedTx(
  tx: TTx,
  userId: string,
  blocked: boolean,
): Promise<{ id: string; blocked: boolean } | null> {
  const before = await tx.user.findUnique({ where: { userId }, select: { id: true, blocked: true } });
  if (!before) return null;
  await tx.user.update({ where: { userId }, data: { blocked } });
  return before;
}

/** Replace a user's profile fields and metadata inside a transaction (the password is set elsewhere). */
export async function updateUserProfileTx(
  tx: TTx,
  id: string,
  w: Omit<TUserPatch, "passwordHash" | "blocked">,
): Promise<void> {
  const { appMetadata, userMetadata, email, ...rest } = w;
  await tx.user.update({
    where: { id },
    data: {
      ...rest,
      ...(email !== undefined ? { email: email ? email.toLowerCase() : email } : {}),
      ...(appMetadata ? { appMetadata: JSON.stringify(appMetadata) } : {}),
      ...(userMetadata ? { userMetadata: JSON.stringify(userMetadata) } : {}),
    },
  });
}

/** Insert one user inside a transaction. */
export async function insertUserTx(tx: TTx, w: TUserWrite): Promise<void> {
  await tx.user.create({ data: userData(w) });
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
export async function listPasswordHashKinds(sql: TSqlRunner, kind: "sqlite" | "postgres"): Promise<string[]> {
  const rows = await sql.all<{ kind: string | null }>(HASH_KIND_SQL[kind]);
  return rows.flatMap((r) => (r.kind ? [r.kind] : []));
}
