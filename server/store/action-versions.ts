import { newRowId, readDate, type TSqlRunner } from "./raw-sql.ts";
import { insertRow, readOptionalText } from "./write-row.ts";
import type { TActionDependency } from "./actions.ts";

/** Every column of the ActionVersion table, in schema order. */
export const ACTION_VERSION_COLUMNS = [
  "id",
  "actionId",
  "number",
  "code",
  "dependencies",
  "runtime",
  "createdAt",
  "createdBy",
] as const;

export type TActionVersionRecord = {
  id: string;
  actionId: string;
  number: number;
  code: string;
  dependencies: TActionDependency[];
  runtime: string;
  createdAt: Date;
  /** Email of the admin who deployed it; null for tenant imports. */
  createdBy: string | null;
};

type TActionVersionRow = Record<(typeof ACTION_VERSION_COLUMNS)[number], unknown>;

const SELECT = `SELECT "id","actionId","number","code","dependencies","runtime","createdAt","createdBy" FROM "ActionVersion"`;

function toActionVersionRecord(r: TActionVersionRow): TActionVersionRecord {
  let dependencies: TActionDependency[] = [];
  try {
    const parsed: unknown = JSON.parse(String(r.dependencies));
    if (Array.isArray(parsed)) dependencies = parsed as TActionDependency[];
  } catch {
    // written only by this module; unreadable reads as none
  }
  return {
    id: String(r.id),
    actionId: String(r.actionId),
    number: Number(r.number),
    code: String(r.code),
    dependencies,
    runtime: String(r.runtime),
    createdAt: readDate(r.createdAt),
    createdBy: readOptionalText(r.createdBy),
  };
}

/** Versions of an action, newest first. */
export async function listActionVersions(q: TSqlRunner, actionId: string): Promise<TActionVersionRecord[]> {
  const rows = await q.all<TActionVersionRow>(`${SELECT} WHERE "actionId" = ? ORDER BY "number" DESC`, [
    actionId,
  ]);
  return rows.map(toActionVersionRecord);
}

/** One version of an action by number. */
export async function findActionVersion(
  q: TSqlRunner,
  actionId: string,
  number: number,
): Promise<TActionVersionRecord | null> {
  const [row] = await q.all<TActionVersionRow>(`${SELECT} WHERE "actionId" = ? AND "number" = ?`, [
    actionId,
    number,
  ]);
  return row ? toActionVersionRecord(row) : null;
}

/** One version by its id (Auth0's version ids). */
export async function findActionVersionById(q: TSqlRunner, id: string): Promise<TActionVersionRecord | null> {
  const [row] = await q.all<TActionVersionRow>(`${SELECT} WHERE "id" = ?`, [id]);
  return row ? toActionVersionRecord(row) : null;
}

/** The next version number of an action. */
export async function nextActionVersionNumber(q: TSqlRunner, actionId: string): Promise<number> {
  const [row] = await q.all<{ last: unknown }>(
    `SELECT MAX("number") AS "last" FROM "ActionVersion" WHERE "actionId" = ?`,
    [actionId],
  );
  return Number(row?.last ?? 0) + 1;
}

/** Save a new version of an action. */
export async function insertActionVersion(
  q: TSqlRunner,
  v: {
    actionId: string;
    number: number;
    code: string;
    dependencies: TActionDependency[];
    runtime: string;
    createdBy: string | null;
  },
  at: Date,
): Promise<TActionVersionRecord> {
  const id = newRowId();
  await insertRow(q, "ActionVersion", {
    id,
    actionId: v.actionId,
    number: v.number,
    code: v.code,
    dependencies: JSON.stringify(v.dependencies),
    runtime: v.runtime,
    createdAt: at,
    createdBy: v.createdBy,
  });
  return { id, ...v, createdAt: at };
}

/** Drop an action's oldest versions beyond `keep`, never the one numbered `deployed`. */
export async function pruneActionVersions(
  q: TSqlRunner,
  actionId: string,
  keep: number,
  deployed: number,
): Promise<void> {
  const rows = await q.all<{ number: unknown }>(
    `SELECT "number" FROM "ActionVersion" WHERE "actionId" = ? ORDER BY "number" DESC`,
    [actionId],
  );
  const drop = rows
    .slice(keep)
    .map((r) => Number(r.number))
    .filter((n) => n !== deployed);
  for (const n of drop)
    await q.run(`DELETE FROM "ActionVersion" WHERE "actionId" = ? AND "number" = ?`, [actionId, n]);
}
