import type { TSqlRunner } from "./raw-sql.ts";

// Which clients may use which connection: one row per pair of internal ids. Read and written with the client or
// the connection it belongs to (clients.ts, connections.ts).

export const CONNECTION_CLIENT_COLUMNS = ["connectionId", "clientId"] as const;

/** Every link, for listings that show a client's connections or a connection's clients. */
export async function listConnectionClients(
  q: TSqlRunner,
): Promise<{ connectionId: string; clientId: string }[]> {
  const rows = await q.all<{ connectionId: string; clientId: string }>(
    `SELECT "connectionId","clientId" FROM "ConnectionClient" ORDER BY "connectionId","clientId"`,
  );
  return rows.map((r) => ({ connectionId: String(r.connectionId), clientId: String(r.clientId) }));
}

async function insertLinks(
  q: TSqlRunner,
  links: { connectionId: string; clientId: string }[],
): Promise<void> {
  for (const l of links) {
    await q.run(`INSERT INTO "ConnectionClient" ("connectionId","clientId") VALUES (?,?)`, [
      l.connectionId,
      l.clientId,
    ]);
  }
}

/** Replace the connections enabled for a client (internal ids), atomically. */
export async function setClientConnections(
  q: TSqlRunner,
  clientId: string,
  connectionIds: string[],
): Promise<void> {
  await q.transaction(async (tx) => {
    await tx.run(`DELETE FROM "ConnectionClient" WHERE "clientId" = ?`, [clientId]);
    await insertLinks(
      tx,
      connectionIds.map((connectionId) => ({ connectionId, clientId })),
    );
  });
}

/** Replace the clients a connection is enabled for (internal ids), atomically. */
export async function setConnectionClients(
  q: TSqlRunner,
  connectionId: string,
  clientIds: string[],
): Promise<void> {
  await q.transaction(async (tx) => {
    await tx.run(`DELETE FROM "ConnectionClient" WHERE "connectionId" = ?`, [connectionId]);
    await insertLinks(
      tx,
      clientIds.map((clientId) => ({ connectionId, clientId })),
    );
  });
}
