import { randomUUID } from "node:crypto";
import { readDate, type TSqlRunner } from "./raw-sql.ts";
import { columnList, insertRow, updateRow } from "./write-row.ts";

/** Every column of the Action table, in schema order. */
export const ACTION_COLUMNS = [
  "id",
  "name",
  "code",
  "dependencies",
  "runtime",
  "supportedTriggers",
  "deployedVersion",
  "createdAt",
  "updatedAt",
] as const;

/** A declared npm dependency of an action (`{ name, version }`, as Auth0's Management API has it). */
export type TActionDependency = { name: string; version: string };
/** A trigger an action supports (`{ id: "post-login", version: "v3" }`). */
export type TActionTrigger = { id: string; version: string };

export type TActionRecord = {
  id: string;
  name: string;
  /** The draft code (what the editor shows); logins run the deployed version's. */
  code: string;
  dependencies: TActionDependency[];
  runtime: string;
  supportedTriggers: TActionTrigger[];
  /** Number of the deployed version; null until the first deploy. */
  deployedVersion: number | null;
  createdAt: Date;
  updatedAt: Date;
};

type TActionRow = Record<(typeof ACTION_COLUMNS)[number], unknown>;

const SELECT = `SELECT ${columnList(ACTION_COLUMNS)} FROM "Action"`;

/** A JSON array column; anything unreadable reads as empty (the column is only ever written by this module). */
function readList<T>(v: unknown): T[] {
  try {
    const parsed: unknown = JSON.parse(String(v));
    return Array.isArray(parsed) ? (parsed as T[]) : [];
  } catch {
    return [];
  }
}

function toActionRecord(r: TActionRow): TActionRecord {
  return {
    id: String(r.id),
    name: String(r.name),
    code: String(r.code),
    dependencies: readList<TActionDependency>(r.dependencies),
    runtime: String(r.runtime),
    supportedTriggers: readList<TActionTrigger>(r.supportedTriggers),
    deployedVersion:
      r.deployedVersion === null || r.deployedVersion === undefined ? null : Number(r.deployedVersion),
    createdAt: readDate(r.createdAt),
    updatedAt: readDate(r.updatedAt),
  };
}

/** A new action id in Auth0's shape (a UUID). */
export function newActionId(): string {
  return randomUUID();
}

/** Every action, by name. */
export async function listActions(q: TSqlRunner): Promise<TActionRecord[]> {
  return (await q.all<TActionRow>(`${SELECT} ORDER BY "name"`)).map(toActionRecord);
}

/** One action by id. */
export async function findAction(q: TSqlRunner, id: string): Promise<TActionRecord | null> {
  const [row] = await q.all<TActionRow>(`${SELECT} WHERE "id" = ?`, [id]);
  return row ? toActionRecord(row) : null;
}

/** One action by its (unique) name. */
export async function findActionByName(q: TSqlRunner, name: string): Promise<TActionRecord | null> {
  const [row] = await q.all<TActionRow>(`${SELECT} WHERE "name" = ?`, [name]);
  return row ? toActionRecord(row) : null;
}

export type TNewAction = {
  id: string;
  name: string;
  code: string;
  dependencies: TActionDependency[];
  runtime: string;
  supportedTriggers: TActionTrigger[];
};

/** Insert an action (a draft: nothing deployed yet). */
export async function insertAction(q: TSqlRunner, a: TNewAction, at: Date): Promise<TActionRecord> {
  const row = {
    id: a.id,
    name: a.name,
    code: a.code,
    dependencies: JSON.stringify(a.dependencies),
    runtime: a.runtime,
    supportedTriggers: JSON.stringify(a.supportedTriggers),
    createdAt: at,
    updatedAt: at,
  };
  await insertRow(q, "Action", row);
  return { ...a, deployedVersion: null, createdAt: at, updatedAt: at };
}

export type TActionPatch = {
  name?: string;
  code?: string;
  dependencies?: TActionDependency[];
  runtime?: string;
  supportedTriggers?: TActionTrigger[];
};

/** Change an action's draft; null when it does not exist. */
export async function updateAction(
  q: TSqlRunner,
  id: string,
  patch: TActionPatch,
  at: Date,
): Promise<TActionRecord | null> {
  await updateRow(
    q,
    "Action",
    { column: "id", value: id },
    {
      name: patch.name,
      code: patch.code,
      dependencies: patch.dependencies === undefined ? undefined : JSON.stringify(patch.dependencies),
      runtime: patch.runtime,
      supportedTriggers:
        patch.supportedTriggers === undefined ? undefined : JSON.stringify(patch.supportedTriggers),
      updatedAt: at,
    },
  );
  return findAction(q, id);
}

/** Point an action at one of its versions (deploy or rollback). */
export async function setDeployedVersion(
  q: TSqlRunner,
  id: string,
  version: number,
  at: Date,
): Promise<void> {
  await updateRow(q, "Action", { column: "id", value: id }, { deployedVersion: version, updatedAt: at });
}

/** Delete an action with its versions, secrets and bindings (the foreign keys cascade); false when absent. */
export async function deleteAction(q: TSqlRunner, id: string): Promise<boolean> {
  return (await q.run(`DELETE FROM "Action" WHERE "id" = ?`, [id])) === 1;
}
