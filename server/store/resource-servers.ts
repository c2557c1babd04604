import type { TDb, TTx } from "./db.ts";
import { parseJsonColumn } from "./json.ts";

export type TResourceServerRecord = {
  id: string;
  identifier: string;
  name: string;
  scopes: { value: string; description?: string }[];
  tokenLifetime: number;
  signingAlg: "RS256" | "HS256";
  signingSecretEnc: string | null;
  allowOfflineAccess: boolean;
};

/** Load an API by its identifier (the audience). */
export async function findResourceServer(db: TDb, identifier: string): Promise<TResourceServerRecord | null> {
  const row = await db.resourceServer.findUnique({ where: { identifier } });
  if (!row) return null;
  return {
    ...row,
    scopes: parseJsonColumn<{ value: string; description?: string }[]>(row.scopes, []),
    signingAlg: row.signingAlg === "HS256" ? "HS256" : "RS256",
  };
}

export type TResourceServerWrite = {
  identifier: string;
  name: string;
  scopes?: { value: string; description?: string }[];
  tokenLifetime?: number;
  signingAlg?: "RS256" | "HS256";
  signingSecretEnc?: string | null;
  allowOfflineAccess?: boolean;
};

/** Create or update an API matched by identifier. */
export async function upsertResourceServer(
  db: TDb,
  w: TResourceServerWrite,
): Promise<{ id: string; created: boolean }> {
  const data = {
    name: w.name,
    scopes: w.scopes ? JSON.stringify(w.scopes) : undefined,
    tokenLifetime: w.tokenLifetime,
    signingAlg: w.signingAlg,
    signingSecretEnc: w.signingSecretEnc,
    allowOfflineAccess: w.allowOfflineAccess,
  };
  const existing = await db.resourceServer.findUnique({
    where: { identifier: w.identifier },
    select: { id: true },
  });
  if (existing) {
    await db.resourceServer.update({ where: { id: existing.id }, data });
    return { id: existing.id, created: false };
  }
  const row = await db.resourceServer.create({ data: { ...data, identifier: w.identifier } });
  return { id: row.id, created: true };
}

/** Every API. */
export async function listResourceServers(db: TDb): Promise<TResourceServerRecord[]> {
  const rows = await db.resourceServer.findMany({ orderBy: { name: "asc" } });
  return rows.map((row) => ({
    ...row,
    scopes: parseJsonColumn<{ value: string; description?: string }[]>(row.scopes, []),
    signingAlg: row.signingAlg === "HS256" ? ("HS256" as const) : ("RS256" as const),
  }));
}

/** Create an API inside a transaction. */
export async function createResourceServerTx(
  tx: TTx,
  w: TResourceServerWrite & { name: string },
): Promise<void> {
  await tx.resourceServer.create({ data: { ...w, scopes: JSON.stringify(w.scopes ?? []) } });
}

/** Find an API by its internal id or, failing that, its identifier (as Auth0's /resource-servers/{id} does). */
export async function findResourceServerByIdOrIdentifier(
  db: TDb,
  idOrIdentifier: string,
): Promise<TResourceServerRecord | null> {
  const row =
    (await db.resourceServer.findUnique({ where: { id: idOrIdentifier } })) ??
    (await db.resourceServer.findUnique({ where: { identifier: idOrIdentifier } }));
  if (!row) return null;
  return {
    ...row,
    scopes: parseJsonColumn<{ value: string; description?: string }[]>(row.scopes, []),
    signingAlg: row.signingAlg === "HS256" ? "HS256" : "RS256",
  };
}

/** Update an API's settings (never its identifier) inside a transaction. */
export async function updateResourceServerTx(
  tx: TTx,
  id: string,
  w: Omit<Partial<TResourceServerWrite>, "identifier">,
): Promise<void> {
  await tx.resourceServer.update({
    where: { id },
    data: {
      name: w.name,
      scopes: w.scopes ? JSON.stringify(w.scopes) : undefined,
      tokenLifetime: w.tokenLifetime,
      signingAlg: w.signingAlg,
      signingSecretEnc: w.signingSecretEnc,
      allowOfflineAccess: w.allowOfflineAccess,
    },
  });
}
