import { parseJsonColumn } from "./json.ts";
import { newRowId, type TSqlRunner } from "./raw-sql.ts";
import { setClientConnections } from "./connection-clients.ts";
import { columnList, insertRow, readOptionalText, updateRow, type TRowValues } from "./write-row.ts";

/** Every column of the Client table, in schema order. */
export const CLIENT_COLUMNS = [
  "id",
  "clientId",
  "name",
  "description",
  "appType",
  "isFirstParty",
  "tokenEndpointAuthMethod",
  "clientSecretHash",
  "clientSecretEnc",
  "grantTypes",
  "idTokenAlg",
  "idTokenLifetime",
  "isTokenEndpointIpHeaderTrusted",
  "clientMetadata",
  "refreshRotationType",
  "refreshLeeway",
  "refreshTokenLifetime",
  "refreshIdleLifetime",
  "createdAt",
  "updatedAt",
] as const;

export type TClientRecord = {
  id: string;
  clientId: string;
  name: string;
  appType: string;
  isFirstParty: boolean;
  tokenEndpointAuthMethod: "none" | "client_secret_post" | "client_secret_basic";
  clientSecretHash: string | null;
  clientSecretEnc: string | null;
  grantTypes: string[];
  idTokenAlg: "RS256" | "HS256";
  idTokenLifetime: number;
  isTokenEndpointIpHeaderTrusted: boolean;
  clientMetadata: Record<string, string>;
  refreshRotationType: "rotating" | "non-rotating";
  refreshLeeway: number;
  refreshTokenLifetime: number;
  refreshIdleLifetime: number;
  /** Internal ids of the connections enabled for this client. */
  connectionIds: string[];
};

type TClientRow = Record<(typeof CLIENT_COLUMNS)[number], unknown>;

// A client with its links in one query: one row per enabled connection (or one row with a null link).
const SELECT_WITH_LINKS = `SELECT ${columnList(CLIENT_COLUMNS, "c")}, cc."connectionId" AS "linkedConnectionId" FROM "Client" c LEFT JOIN "ConnectionClient" cc ON cc."clientId" = c."id"`;

function toClientRecord(row: TClientRow, connectionIds: string[]): TClientRecord {
  return {
    id: String(row.id),
    clientId: String(row.clientId),
    name: String(row.name),
    appType: String(row.appType),
    isFirstParty: Boolean(row.isFirstParty),
    tokenEndpointAuthMethod: String(row.tokenEndpointAuthMethod) as TClientRecord["tokenEndpointAuthMethod"],
    clientSecretHash: readOptionalText(row.clientSecretHash),
    clientSecretEnc: readOptionalText(row.clientSecretEnc),
    grantTypes: parseJsonColumn<string[]>(readOptionalText(row.grantTypes), []),
    idTokenAlg: row.idTokenAlg === "HS256" ? "HS256" : "RS256",
    idTokenLifetime: Number(row.idTokenLifetime),
    isTokenEndpointIpHeaderTrusted: Boolean(row.isTokenEndpointIpHeaderTrusted),
    clientMetadata: parseJsonColumn<Record<string, string>>(readOptionalText(row.clientMetadata), {}),
    refreshRotationType: row.refreshRotationType === "non-rotating" ? "non-rotating" : "rotating",
    refreshLeeway: Number(row.refreshLeeway),
    refreshTokenLifetime: Number(row.refreshTokenLifetime),
    refreshIdleLifetime: Number(row.refreshIdleLifetime),
    connectionIds,
  };
}

/** Fold client rows joined with their links (ordered by client) into records, keeping the rows' order. */
function groupClientRows(rows: (TClientRow & { linkedConnectionId: unknown })[]): TClientRecord[] {
  const byId = new Map<string, { row: TClientRow; links: string[] }>();
  for (const r of rows) {
    const id = String(r.id);
    let entry = byId.get(id);
    if (!entry) {
      entry = { row: r, links: [] };
      byId.set(id, entry);
    }
    if (r.linkedConnectionId !== null && r.linkedConnectionId !== undefined)
      entry.links.push(String(r.linkedConnectionId));
  }
  return [...byId.values()].map((e) => toClientRecord(e.row, e.links));
}

/** Load a client by its public client_id, with its enabled connections. */
export async function findClientByClientId(q: TSqlRunner, clientId: string): Promise<TClientRecord | null> {
  const rows = await q.all<TClientRow & { linkedConnectionId: unknown }>(
    `${SELECT_WITH_LINKS} WHERE c."clientId" = ? ORDER BY cc."connectionId"`,
    [clientId],
  );
  return groupClientRows(rows)[0] ?? null;
}

export type TClientWrite = {
  name: string;
  description?: string;
  appType?: string;
  isFirstParty?: boolean;
  tokenEndpointAuthMethod?: TClientRecord["tokenEndpointAuthMethod"];
  grantTypes?: string[];
  idTokenAlg?: "RS256" | "HS256";
  idTokenLifetime?: number;
  isTokenEndpointIpHeaderTrusted?: boolean;
  clientMetadata?: Record<string, string>;
  refreshRotationType?: "rotating" | "non-rotating";
  refreshLeeway?: number;
  refreshTokenLifetime?: number;
  refreshIdleLifetime?: number;
};

function clientValues(w: Partial<TClientWrite>): TRowValues {
  return {
    name: w.name,
    description: w.description,
    appType: w.appType,
    isFirstParty: w.isFirstParty,
    tokenEndpointAuthMethod: w.tokenEndpointAuthMethod,
    grantTypes: w.grantTypes ? JSON.stringify(w.grantTypes) : undefined,
    idTokenAlg: w.idTokenAlg,
    idTokenLifetime: w.idTokenLifetime,
    isTokenEndpointIpHeaderTrusted: w.isTokenEndpointIpHeaderTrusted,
    clientMetadata: w.clientMetadata ? JSON.stringify(w.clientMetadata) : undefined,
    refreshRotationType: w.refreshRotationType,
    refreshLeeway: w.refreshLeeway,
    refreshTokenLifetime: w.refreshTokenLifetime,
    refreshIdleLifetime: w.refreshIdleLifetime,
  };
}

function secretValues(secret: { hash: string; sealed: string } | null | undefined): TRowValues {
  return secret === undefined
    ? {}
    : { clientSecretHash: secret?.hash ?? null, clientSecretEnc: secret?.sealed ?? null };
}

/** Create or update a client matched by name. The secret (digest + sealed copy) is set only when given. */
export async function upsertClientByName(
  q: TSqlRunner,
  w: TClientWrite,
  create: { clientId: string },
  at: Date,
  secret?: { hash: string; sealed: string } | null,
): Promise<{ id: string; clientId: string; created: boolean }> {
  return q.transaction(async (tx) => {
    const [existing] = await tx.all<{ id: string; clientId: string }>(
      `SELECT "id","clientId" FROM "Client" WHERE "name" = ?`,
      [w.name],
    );
    if (existing) {
      await updateRow(
        tx,
        "Client",
        { column: "id", value: existing.id },
        { ...clientValues(w), ...secretValues(secret), updatedAt: at },
      );
      return { id: String(existing.id), clientId: String(existing.clientId), created: false };
    }
    const id = newRowId();
    await insertRow(tx, "Client", {
      id,
      ...clientValues(w),
      ...secretValues(secret),
      clientId: create.clientId,
      createdAt: at,
      updatedAt: at,
    });
    return { id, clientId: create.clientId, created: true };
  });
}

/** Every client (by name), for export and listings. */
export async function listClients(q: TSqlRunner): Promise<TClientRecord[]> {
  const rows = await q.all<TClientRow & { linkedConnectionId: unknown }>(
    `${SELECT_WITH_LINKS} ORDER BY c."name", cc."connectionId"`,
  );
  return groupClientRows(rows);
}

/** Client descriptions keyed by client_id (for export; the description is not part of the token-path record). */
export async function listClientDescriptions(q: TSqlRunner): Promise<Map<string, string>> {
  const rows = await q.all<{ clientId: string; description: string }>(
    `SELECT "clientId","description" FROM "Client"`,
  );
  return new Map(rows.map((r) => [String(r.clientId), String(r.description)]));
}

/** How many clients there are. */
export async function countClients(q: TSqlRunner, where: { name?: string } = {}): Promise<number> {
  const rows = await q.all<{ n: unknown }>(
    where.name === undefined
      ? `SELECT COUNT(*) AS "n" FROM "Client"`
      : `SELECT COUNT(*) AS "n" FROM "Client" WHERE "name" = ?`,
    where.name === undefined ? [] : [where.name],
  );
  return Number(rows[0]?.n ?? 0);
}

/** Create a client enabled for the given connections (internal ids), atomically; its internal id. */
export async function createClient(
  q: TSqlRunner,
  w: TClientWrite & { clientId: string; clientSecretHash: string | null; clientSecretEnc: string | null },
  connectionIds: string[],
  at: Date,
): Promise<string> {
  return q.transaction(async (tx) => {
    const id = newRowId();
    await insertRow(tx, "Client", {
      id,
      ...clientValues(w),
      clientId: w.clientId,
      clientSecretHash: w.clientSecretHash,
      clientSecretEnc: w.clientSecretEnc,
      createdAt: at,
      updatedAt: at,
    });
    if (connectionIds.length > 0) await setClientConnections(tx, id, connectionIds);
    return id;
  });
}

/** Replace a client's secret (digest and sealed copy). */
export async function setClientSecret(
  q: TSqlRunner,
  clientId: string,
  hash: string,
  sealed: string,
  at: Date,
): Promise<void> {
  const n = await updateRow(
    q,
    "Client",
    { column: "clientId", value: clientId },
    { clientSecretHash: hash, clientSecretEnc: sealed, updatedAt: at },
  );
  if (n !== 1) throw new Error(`No client ${clientId} to update`);
}

/** Delete a client; its refresh tokens and connection links go with it (foreign keys cascade). */
export async function deleteClient(q: TSqlRunner, clientId: string): Promise<void> {
  const n = await q.run(`DELETE FROM "Client" WHERE "clientId" = ?`, [clientId]);
  if (n !== 1) throw new Error(`No client ${clientId} to delete`);
}

/**
 * Update a client. `connectionIds` (internal ids), when given, replaces its enabled connections; `secret`, when
 * given, replaces (or with null removes) its secret. All or nothing.
 */
export async function updateClient(
  q: TSqlRunner,
  clientId: string,
  w: Partial<TClientWrite>,
  at: Date,
  connectionIds?: string[],
  secret?: { hash: string; sealed: string } | null,
): Promise<void> {
  await q.transaction(async (tx) => {
    const [row] = await tx.all<{ id: string }>(`SELECT "id" FROM "Client" WHERE "clientId" = ?`, [clientId]);
    if (!row) throw new Error(`No client ${clientId} to update`);
    const id = String(row.id);
    await updateRow(
      tx,
      "Client",
      { column: "id", value: id },
      { ...clientValues(w), ...secretValues(secret), updatedAt: at },
    );
    if (connectionIds) await setClientConnections(tx, id, connectionIds);
  });
}
