import { parseJsonColumn } from "./json.ts";
import { newRowId, type TSqlRunner } from "./raw-sql.ts";
import { columnList, insertRow, readOptionalText, updateRow, type TRowValues } from "./write-row.ts";

/** Every column of the ResourceServer table, in schema order. */
export const RESOURCE_SERVER_COLUMNS = [
  "id",
  "identifier",
  "name",
  "scopes",
  "tokenLifetime",
  "signingAlg",
  "signingSecretEnc",
  "allowOfflineAccess",
  "createdAt",
  "updatedAt",
] as const;

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

type TResourceServerRow = Record<(typeof RESOURCE_SERVER_COLUMNS)[number], unknown>;

const SELECT = `SELECT ${columnList(RESOURCE_SERVER_COLUMNS)} FROM "ResourceServer"`;

function toResourceServerRecord(row: TResourceServerRow): TResourceServerRecord {
  return {
    id: String(row.id),
    identifier: String(row.identifier),
    name: String(row.name),
    scopes: parseJsonColumn<{ value: string; description?: string }[]>(readOptionalText(row.scopes), []),
    tokenLifetime: Number(row.tokenLifetime),
    signingAlg: row.signingAlg === "HS256" ? "HS256" : "RS256",
    signingSecretEnc: readOptionalText(row.signingSecretEnc),
    allowOfflineAccess: Boolean(row.allowOfflineAccess),
  };
}

/** Load an API by its identifier (the audience). */
export async function findResourceServer(
  q: TSqlRunner,
  identifier: string,
): Promise<TResourceServerRecord | null> {
  const [row] = await q.all<TResourceServerRow>(`${SELECT} WHERE "identifier" = ?`, [identifier]);
  return row ? toResourceServerRecord(row) : null;
}

/** Find an API by its internal id or, failing that, its identifier (as Auth0's /resource-servers/{id} does). */
export async function findResourceServerByIdOrIdentifier(
  q: TSqlRunner,
  idOrIdentifier: string,
): Promise<TResourceServerRecord | null> {
  const [byId] = await q.all<TResourceServerRow>(`${SELECT} WHERE "id" = ?`, [idOrIdentifier]);
  if (byId) return toResourceServerRecord(byId);
  return findResourceServer(q, idOrIdentifier);
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

function resourceServerValues(w: Omit<Partial<TResourceServerWrite>, "identifier">): TRowValues {
  return {
    name: w.name,
    scopes: w.scopes ? JSON.stringify(w.scopes) : undefined,
    tokenLifetime: w.tokenLifetime,
    signingAlg: w.signingAlg,
    signingSecretEnc: w.signingSecretEnc,
    allowOfflineAccess: w.allowOfflineAccess,
  };
}

/** Create or update an API matched by identifier. */
export async function upsertResourceServer(
  q: TSqlRunner,
  w: TResourceServerWrite,
  at: Date,
): Promise<{ id: string; created: boolean }> {
  return q.transaction(async (tx) => {
    const [existing] = await tx.all<{ id: string }>(
      `SELECT "id" FROM "ResourceServer" WHERE "identifier" = ?`,
      [w.identifier],
    );
    if (existing) {
      const id = String(existing.id);
      await updateRow(
        tx,
        "ResourceServer",
        { column: "id", value: id },
        { ...resourceServerValues(w), updatedAt: at },
      );
      return { id, created: false };
    }
    const id = newRowId();
    await insertRow(tx, "ResourceServer", {
      id,
      ...resourceServerValues(w),
      identifier: w.identifier,
      createdAt: at,
      updatedAt: at,
    });
    return { id, created: true };
  });
}

/** Every API, by name. */
export async function listResourceServers(q: TSqlRunner): Promise<TResourceServerRecord[]> {
  const rows = await q.all<TResourceServerRow>(`${SELECT} ORDER BY "name"`);
  return rows.map(toResourceServerRecord);
}

/** Create an API. */
export async function createResourceServer(q: TSqlRunner, w: TResourceServerWrite, at: Date): Promise<void> {
  await insertRow(q, "ResourceServer", {
    id: newRowId(),
    ...resourceServerValues(w),
    scopes: JSON.stringify(w.scopes ?? []),
    identifier: w.identifier,
    createdAt: at,
    updatedAt: at,
  });
}

/** Update an API's settings (never its identifier). */
export async function updateResourceServer(
  q: TSqlRunner,
  id: string,
  w: Omit<Partial<TResourceServerWrite>, "identifier">,
  at: Date,
): Promise<void> {
  const n = await updateRow(
    q,
    "ResourceServer",
    { column: "id", value: id },
    { ...resourceServerValues(w), updatedAt: at },
  );
  if (n !== 1) throw new Error(`No API ${id} to update`);
}

/**
 * Create or refresh (only when it differs) a built-in API under a fixed internal id (the Management API): its identifier follows the
 * server's public URL, so when that changed, the client grants naming the old identifier move with it. Returns the
 * identifier it had before (null when it was created).
 */
export async function putSystemResourceServer(
  q: TSqlRunner,
  id: string,
  w: Required<Pick<TResourceServerWrite, "identifier" | "name" | "scopes" | "tokenLifetime">>,
  at: Date,
): Promise<{ previousIdentifier: string | null }> {
  return q.transaction(async (tx) => {
    const [existing] = await tx.all<{ identifier: string; name: string; scopes: string }>(
      `SELECT "identifier", "name", "scopes" FROM "ResourceServer" WHERE "id" = ?`,
      [id],
    );
    if (!existing) {
      await insertRow(tx, "ResourceServer", {
        id,
        identifier: w.identifier,
        name: w.name,
        scopes: JSON.stringify(w.scopes),
        tokenLifetime: w.tokenLifetime,
        signingAlg: "RS256",
        signingSecretEnc: null,
        allowOfflineAccess: false,
        createdAt: at,
        updatedAt: at,
      });
      return { previousIdentifier: null };
    }
    const previous = String(existing.identifier);
    // Most starts find it as it should be: no write then (read-only CLI commands stay read-only).
    if (
      previous === w.identifier &&
      String(existing.name) === w.name &&
      String(existing.scopes) === JSON.stringify(w.scopes)
    )
      return { previousIdentifier: previous };
    await updateRow(
      tx,
      "ResourceServer",
      { column: "id", value: id },
      { identifier: w.identifier, name: w.name, scopes: JSON.stringify(w.scopes), updatedAt: at },
    );
    if (previous !== w.identifier)
      await tx.run(`UPDATE "ClientGrant" SET "audience" = ?, "updatedAt" = ? WHERE "audience" = ?`, [
        w.identifier,
        at,
        previous,
      ]);
    return { previousIdentifier: previous };
  });
}
