import type { TDeps } from "../config/deps.ts";
import { findUserByUserId, type TUserRecord } from "../store/users.ts";

// What the store holds after a request, read for assertions.

/** Every audit row as stored, serialized, to search for leaked secrets. */
export async function serializedAuditRows(deps: TDeps): Promise<string> {
  return JSON.stringify(await deps.db.all(`SELECT * FROM "LogEvent"`));
}

/** The stored row of a user by public user id; fails the test when there is none. */
export async function storedUser(deps: TDeps, userId: string): Promise<TUserRecord> {
  const user = await findUserByUserId(deps.db, userId);
  if (!user) throw new Error(`no stored user ${userId}`);
  return user;
}

/** How many audit records have every given column value (all records when none is given). */
export async function countLogRows(
  deps: TDeps,
  where: { userId?: string; type?: string; ip?: string } = {},
): Promise<number> {
  const entries = Object.entries(where).filter(([, v]) => v !== undefined);
  const rows = await deps.db.all<{ n: number | string }>(
    `SELECT COUNT(*) AS n FROM "LogEvent"${entries.length > 0 ? ` WHERE ${entries.map(([k]) => `"${k}" = ?`).join(" AND ")}` : ""}`,
    entries.map(([, v]) => v ?? null),
  );
  return Number(rows[0]?.n ?? 0);
}
