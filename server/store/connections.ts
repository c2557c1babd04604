import type { TDb, TTx } from "./db.ts";
import { parseJsonColumn } from "./json.ts";

export type TConnectionRecord = {
  id: string;
  connectionId: string;
  name: string;
  strategy: string;
  options: Record<string, unknown>;
};

/** Load a connection (realm) by its name. */
export async function findConnectionByName(db: TDb, name: string): Promise<TConnectionRecord | null> {
  const row = await db.connection.findUnique({ where: { name } });
  if (!row) return null;
  return { ...row, options: parseJsonColumn<Record<string, unknown>>(row.options, {}) };
}

/** Load a connection by its internal id (the user's `connectionId`). */
export async function findConnectionById(db: TDb, id: string): Promise<TConnectionRecord | null> {
  const row = await db.connection.findUnique({ where: { id } });
  if (!row) return null;
  return { ...row, options: parseJsonColumn<Record<string, unknown>>(row.options, {}) };
}

/** Create or update a connection matched by name; `enabledClientIds` (internal ids) replaces its client list. */
export async function upsertConnectionByName(
  db: TDb,
  w: { name: string; strategy?: string; options?: Record<string, unknown> },
  create: { connectionId: string },
  enabledClientIds?: string[],
): Promise<{ id: string; created: boolean }> {
  // One transaction: the connection row and its client list change together or not at all.
  return db.$transaction(async (tx) => {
    const existing = await tx.connection.findUnique({ where: { name: w.name }, select: { id: true } });
    const data = { strategy: w.strategy, options: w.options ? JSON.stringify(w.options) : undefined };
    const id = existing
      ? (await tx.connection.update({ where: { id: existing.id }, data })).id
      : (await tx.connection.create({ data: { ...data, name: w.name, connectionId: create.connectionId } }))
          .id;
    if (enabledClientIds) {
      await tx.connectionClient.deleteMany({ where: { connectionId: id } });
      await tx.connectionClient.createMany({
        data: enabledClientIds.map((clientId) => ({ connectionId: id, clientId })),
      });
    }
    return { id, created: !existing };
  });
}

/** Every connection with the names of its enabled clients. */
export async function listConnections(
  db: TDb,
): Promise<(TConnectionRecord & { enabledClients: string[] })[]> {
  const rows = await db.connection.findMany({
    orderBy: { name: "asc" },
    include: { clients: { include: { client: { select: { name: true } } } } },
  });
  return rows.map((r) => ({
    id: r.id,
    connectionId: r.connectionId,
    name: r.name,
    strategy: r.strategy,
    options: parseJsonColumn<Record<string, unknown>>(r.options, {}),
    enabledClients: r.clients.map((c) => c.client.name).sort(),
  }));
}

/** Create a connection inside a transaction, enabled for the given clients (internal ids). */
export async function createConnectionTx(
  tx: TTx,
  w: { name: string; connectionId: string },
  clientIds: string[],
): Promise<string> {
  const row = await tx.connection.create({ data: { name: w.name, connectionId: w.connectionId } });
  if (clientIds.length)
    await tx.connectionClient.createMany({
      data: clientIds.map((clientId) => ({ connectionId: row.id, clientId })),
    });
  return row.id;
}

/** Rename a connection and/or replace its enabled clients (internal ids) inside a transaction. */
export async function updateConnectionTx(
  tx: TTx,
  id: string,
  w: { name?: string },
  clientIds?: string[],
): Promise<void> {
  if (w.name !== undefined) await tx.connection.update({ where: { id }, data: { name: w.name } });
  if (clientIds) {
    await tx.connectionClient.deleteMany({ where: { connectionId: id } });
    if (clientIds.length > 0)
      await tx.connectionClient.createMany({
        data: clientIds.map((clientId) => ({ connectionId: id, clientId })),
      });
  }
}

/** Load a connection by its public id (con_…). */
export async function findConnectionByConnectionId(
  db: TDb,
  connectionId: string,
): Promise<TConnectionRecord | null> {
  const row = await db.connection.findUnique({ where: { connectionId } });
  if (!row) return null;
  return { ...row, options: parseJsonColumn<Record<string, unknown>>(row.options, {}) };
}
