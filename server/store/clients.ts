import type { TDb, TTx } from "./db.ts";
import { parseJsonColumn } from "./json.ts";

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

/** Load a client by its public client_id, with its enabled connections. */
export async function findClientByClientId(db: TDb, clientId: string): Promise<TClientRecord | null> {
  const row = await db.client.findUnique({ where: { clientId }, include: CLIENT_INCLUDE });
  return row ? toClientRecord(row) : null;
}

const CLIENT_INCLUDE = { connections: { select: { connectionId: true } } } as const;

type TClientRow = NonNullable<Awaited<ReturnType<TDb["client"]["findFirst"]>>> & {
  connections: { connectionId: string }[];
};

function toClientRecord(row: TClientRow): TClientRecord {
  return {
    id: row.id,
    clientId: row.clientId,
    name: row.name,
    appType: row.appType,
    isFirstParty: row.isFirstParty,
    tokenEndpointAuthMethod: row.tokenEndpointAuthMethod as TClientRecord["tokenEndpointAuthMethod"],
    clientSecretHash: row.clientSecretHash,
    clientSecretEnc: row.clientSecretEnc,
    grantTypes: parseJsonColumn<string[]>(row.grantTypes, []),
    idTokenAlg: row.idTokenAlg === "HS256" ? "HS256" : "RS256",
    idTokenLifetime: row.idTokenLifetime,
    isTokenEndpointIpHeaderTrusted: row.isTokenEndpointIpHeaderTrusted,
    clientMetadata: parseJsonColumn<Record<string, string>>(row.clientMetadata, {}),
    refreshRotationType: row.refreshRotationType === "non-rotating" ? "non-rotating" : "rotating",
    refreshLeeway: row.refreshLeeway,
    refreshTokenLifetime: row.refreshTokenLifetime,
    refreshIdleLifetime: row.refreshIdleLifetime,
    connectionIds: row.connections.map((c) => c.connectionId),
  };
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

function clientData(w: TClientWrite) {
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

/** Create or update a client matched by name. The secret (digest + sealed copy) is set only when given. */
export async function upsertClientByName(
  db: TDb,
  w: TClientWrite,
  create: { clientId: string },
  secret?: { hash: string; sealed: string } | null,
): Promise<{ id: string; clientId: string; created: boolean }> {
  const existing = await db.client.findUnique({
    where: { name: w.name },
    select: { id: true, clientId: true },
  });
  const secretData =
    secret === undefined
      ? {}
      : { clientSecretHash: secret?.hash ?? null, clientSecretEnc: secret?.sealed ?? null };
  if (existing) {
    await db.client.update({ where: { id: existing.id }, data: { ...clientData(w), ...secretData } });
    return { ...existing, created: false };
  }
  const row = await db.client.create({
    data: { ...clientData(w), ...secretData, clientId: create.clientId },
  });
  return { id: row.id, clientId: row.clientId, created: true };
}

/** Every client, for export and listings. */
export async function listClients(db: TDb): Promise<TClientRecord[]> {
  const rows = await db.client.findMany({ orderBy: { name: "asc" }, include: CLIENT_INCLUDE });
  return rows.map(toClientRecord);
}

/** Client descriptions keyed by client_id (for export; the description is not part of the token-path record). */
export async function listClientDescriptions(db: TDb): Promise<Map<string, string>> {
  const rows = await db.client.findMany({ select: { clientId: true, description: true } });
  return new Map(rows.map((r) => [r.clientId, r.description]));
}

/** Create a client inside a transaction; connections by internal id. */
export async function createClientTx(
  tx: TTx,
  w: TClientWrite & { clientId: string; clientSecretHash: string | null; clientSecretEnc: string | null },
  connectionIds: string[],
): Promise<string> {
  const row = await tx.client.create({
    data: {
      ...clientData(w),
      clientId: w.clientId,
      clientSecretHash: w.clientSecretHash,
      clientSecretEnc: w.clientSecretEnc,
    },
  });
  if (connectionIds.length > 0)
    await tx.connectionClient.createMany({
      data: connectionIds.map((connectionId) => ({ connectionId, clientId: row.id })),
    });
  return row.id;
}

/** Replace a client's secret (digest and sealed copy). */
export async function setClientSecretTx(
  tx: TTx,
  clientId: string,
  hash: string,
  sealed: string,
): Promise<void> {
  await tx.client.update({ where: { clientId }, data: { clientSecretHash: hash, clientSecretEnc: sealed } });
}

/** Delete a client; its refresh tokens and connection links go with it. */
export async function deleteClientTx(tx: TTx, clientId: string): Promise<void> {
  await tx.client.delete({ where: { clientId } });
}

/**
 * Update a client inside a transaction. `connectionIds` (internal ids), when given, replaces its enabled
 * connections; `secret`, when given, replaces (or with null removes) its secret.
 */
export async function updateClientTx(
  tx: TTx,
  clientId: string,
  w: Partial<TClientWrite>,
  connectionIds?: string[],
  secret?: { hash: string; sealed: string } | null,
): Promise<void> {
  const row = await tx.client.update({
    where: { clientId },
    data: {
      ...clientData({ ...w, name: w.name as string }),
      ...(secret === undefined
        ? {}
        : { clientSecretHash: secret?.hash ?? null, clientSecretEnc: secret?.sealed ?? null }),
    },
    select: { id: true },
  });
  if (connectionIds) {
    await tx.connectionClient.deleteMany({ where: { clientId: row.id } });
    if (connectionIds.length > 0)
      await tx.connectionClient.createMany({
        data: connectionIds.map((connectionId) => ({ connectionId, clientId: row.id })),
      });
  }
}
