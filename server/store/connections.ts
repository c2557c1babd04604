import { parseJsonColumn } from "./json.ts";
import { newRowId, type TSqlRunner } from "./raw-sql.ts";
import { setConnectionClients } from "./connection-clients.ts";
import { columnList, insertRow, readOptionalText, updateRow } from "./write-row.ts";

/** Every column of the Connection table, in schema order. */
export const CONNECTION_COLUMNS = [
  "id",
  "connectionId",
  "name",
  "strategy",
  "options",
  "createdAt",
  "updatedAt",
] as const;

export type TConnectionRecord = {
  id: string;
  connectionId: string;
  name: string;
  strategy: string;
  options: Record<string, unknown>;
};

type TConnectionRow = Record<(typeof CONNECTION_COLUMNS)[number], unknown>;

const SELECT = `SELECT ${columnList(CONNECTION_COLUMNS)} FROM "Connection"`;

function toConnectionRecord(row: TConnectionRow): TConnectionRecord {
  return {
    id: String(row.id),
    connectionId: String(row.connectionId),
    name: String(row.name),
    strategy: String(row.strategy),
    options: parseJsonColumn<Record<string, unknown>>(readOptionalText(row.options), {}),
  };
}

async function findOne(q: TSqlRunner, column: "id" | "name" | "connectionId", value: string) {
  const [row] = await q.all<TConnectionRow>(`${SELECT} WHERE "${column}" = ?`, [value]);
  return row ? toConnectionRecord(row) : null;
}

/** Load a connection (realm) by its name. */
export async function findConnectionByName(q: TSqlRunner, name: string): Promise<TConnectionRecord | null> {
  return findOne(q, "name", name);
}

/** Load a connection by its internal id (the user's `connectionId`). */
export async function findConnectionById(q: TSqlRunner, id: string): Promise<TConnectionRecord | null> {
  return findOne(q, "id", id);
}

/** Load a connection by its public id (con_…). */
export async function findConnectionByConnectionId(
  q: TSqlRunner,
  connectionId: string,
): Promise<TConnectionRecord | null> {
  return findOne(q, "connectionId", connectionId);
}

/** Create or update a connection matched by name; `enabledClientIds` (internal ids) replaces its client list. */
export async function upsertConnectionByName(
  q: TSqlRunner,
  w: { name: string; strategy?: string; options?: Record<string, unknown> },
  create: { connectionId: string },
  at: Date,
  enabledClientIds?: string[],
): Promise<{ id: string; created: boolean }> {
  // One transaction: the connection row and its client list change together or not at all.
  return q.transaction(async (tx) => {
    const [existing] = await tx.all<{ id: string }>(`SELECT "id" FROM "Connection" WHERE "name" = ?`, [
      w.name,
    ]);
    const values = { strategy: w.strategy, options: w.options ? JSON.stringify(w.options) : undefined };
    let id: string;
    if (existing) {
      id = String(existing.id);
      await updateRow(tx, "Connection", { column: "id", value: id }, { ...values, updatedAt: at });
    } else {
      id = newRowId();
      await insertRow(tx, "Connection", {
        id,
        ...values,
        name: w.name,
        connectionId: create.connectionId,
        createdAt: at,
        updatedAt: at,
      });
    }
    if (enabledClientIds) await setConnectionClients(tx, id, enabledClientIds);
    return { id, created: !existing };
  });
}

/** Every connection (by name) with the names of its enabled clients. */
export async function listConnections(
  q: TSqlRunner,
): Promise<(TConnectionRecord & { enabledClients: string[] })[]> {
  const [rows, links] = await Promise.all([
    q.all<TConnectionRow>(`${SELECT} ORDER BY "name"`),
    q.all<{ connectionId: string; name: string }>(
      `SELECT cc."connectionId", c."name" FROM "ConnectionClient" cc JOIN "Client" c ON c."id" = cc."clientId"`,
    ),
  ]);
  const names = new Map<string, string[]>();
  for (const l of links) {
    const list = names.get(String(l.connectionId)) ?? [];
    list.push(String(l.name));
    names.set(String(l.connectionId), list);
  }
  return rows.map((r) => ({
    ...toConnectionRecord(r),
    enabledClients: (names.get(String(r.id)) ?? []).sort(),
  }));
}

/** Create a connection enabled for the given clients (internal ids), atomically; its internal id. */
export async function createConnection(
  q: TSqlRunner,
  w: { name: string; connectionId: string },
  clientIds: string[],
  at: Date,
): Promise<string> {
  return q.transaction(async (tx) => {
    const id = newRowId();
    await insertRow(tx, "Connection", {
      id,
      name: w.name,
      connectionId: w.connectionId,
      createdAt: at,
      updatedAt: at,
    });
    if (clientIds.length > 0) await setConnectionClients(tx, id, clientIds);
    return id;
  });
}

/** Rename a connection, replace its options and/or its enabled clients (internal ids), atomically. */
export async function updateConnection(
  q: TSqlRunner,
  id: string,
  w: { name?: string; options?: Record<string, unknown> },
  at: Date,
  clientIds?: string[],
): Promise<void> {
  await q.transaction(async (tx) => {
    if (w.name !== undefined || w.options !== undefined) {
      const n = await updateRow(
        tx,
        "Connection",
        { column: "id", value: id },
        { name: w.name, options: w.options ? JSON.stringify(w.options) : undefined, updatedAt: at },
      );
      if (n !== 1) throw new Error(`No connection ${id} to update`);
    }
    if (clientIds) await setConnectionClients(tx, id, clientIds);
  });
}
