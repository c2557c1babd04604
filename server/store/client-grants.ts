import { parseJsonColumn } from "./json.ts";
import { readDate, type TSqlRunner } from "./raw-sql.ts";
import { columnList, insertRow, updateRow } from "./write-row.ts";

// The ClientGrant table: which APIs a client may get client_credentials tokens for, and with which scopes
// (Auth0's client grants). `clientId` is the Client row's internal id; records also carry the public client_id.

export const CLIENT_GRANT_COLUMNS = [
  "id",
  "clientId",
  "audience",
  "scope",
  "createdAt",
  "updatedAt",
] as const;

export type TClientGrantRecord = {
  /** Auth0-style `cgr_…`. */
  id: string;
  /** The Client row's internal id. */
  clientId: string;
  /** The client's public client_id and name (joined). */
  clientPublicId: string;
  clientName: string;
  audience: string;
  scope: string[];
  createdAt: Date;
  updatedAt: Date;
};

type TClientGrantRow = Record<(typeof CLIENT_GRANT_COLUMNS)[number], unknown> & {
  clientPublicId: unknown;
  clientName: unknown;
};

const SELECT = `SELECT ${columnList(CLIENT_GRANT_COLUMNS, "g")}, c."clientId" AS "clientPublicId", c."name" AS "clientName" FROM "ClientGrant" g JOIN "Client" c ON c."id" = g."clientId"`;

function toRecord(r: TClientGrantRow): TClientGrantRecord {
  const scope = parseJsonColumn<unknown>(String(r.scope), []);
  return {
    id: String(r.id),
    clientId: String(r.clientId),
    clientPublicId: String(r.clientPublicId),
    clientName: String(r.clientName),
    audience: String(r.audience),
    scope: Array.isArray(scope) ? scope.map(String) : [],
    createdAt: readDate(r.createdAt),
    updatedAt: readDate(r.updatedAt),
  };
}

/** The grant of one client (internal id) for one API, if any: the token endpoint's check. */
export async function findClientGrant(
  q: TSqlRunner,
  clientId: string,
  audience: string,
): Promise<TClientGrantRecord | null> {
  const [row] = await q.all<TClientGrantRow>(`${SELECT} WHERE g."clientId" = ? AND g."audience" = ?`, [
    clientId,
    audience,
  ]);
  return row ? toRecord(row) : null;
}

/** One grant by its `cgr_…` id. */
export async function findClientGrantById(q: TSqlRunner, id: string): Promise<TClientGrantRecord | null> {
  const [row] = await q.all<TClientGrantRow>(`${SELECT} WHERE g."id" = ?`, [id]);
  return row ? toRecord(row) : null;
}

/** Every grant, optionally of one API (audience) or one client (internal id), by audience then client name. */
export async function listClientGrants(
  q: TSqlRunner,
  filter: { audience?: string; clientId?: string } = {},
): Promise<TClientGrantRecord[]> {
  const where: string[] = [];
  const args: string[] = [];
  if (filter.audience !== undefined) {
    where.push(`g."audience" = ?`);
    args.push(filter.audience);
  }
  if (filter.clientId !== undefined) {
    where.push(`g."clientId" = ?`);
    args.push(filter.clientId);
  }
  const rows = await q.all<TClientGrantRow>(
    `${SELECT}${where.length ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY g."audience", c."name"`,
    args,
  );
  return rows.map(toRecord);
}

/** Create a grant (the caller made the `cgr_…` id and checked the pair is new). */
export async function insertClientGrant(
  q: TSqlRunner,
  g: { id: string; clientId: string; audience: string; scope: string[] },
  at: Date,
): Promise<void> {
  await insertRow(q, "ClientGrant", {
    id: g.id,
    clientId: g.clientId,
    audience: g.audience,
    scope: JSON.stringify(g.scope),
    createdAt: at,
    updatedAt: at,
  });
}

/** Replace a grant's scopes; false when there is no such grant. */
export async function updateClientGrantScope(
  q: TSqlRunner,
  id: string,
  scope: string[],
  at: Date,
): Promise<boolean> {
  return (
    (await updateRow(
      q,
      "ClientGrant",
      { column: "id", value: id },
      { scope: JSON.stringify(scope), updatedAt: at },
    )) === 1
  );
}

/** Delete a grant; false when there was none. */
export async function deleteClientGrant(q: TSqlRunner, id: string): Promise<boolean> {
  return (await q.run(`DELETE FROM "ClientGrant" WHERE "id" = ?`, [id])) === 1;
}
