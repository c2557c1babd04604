import { newRowId, readDate, type TSqlRunner } from "./raw-sql.ts";

/** Every column of the `SigningKey` table, in schema order. */
export const SIGNING_KEY_COLUMNS = [
  "id",
  "kid",
  "alg",
  "publicJwk",
  "privateKeyEnc",
  "status",
  "createdAt",
  "rotatedAt",
] as const;

export type TSigningKeyRecord = {
  kid: string;
  alg: string;
  publicJwk: string;
  privateKeyEnc: string;
  status: string;
  createdAt: Date;
};

function toSigningKey(r: Record<string, unknown>): TSigningKeyRecord {
  return {
    kid: String(r.kid),
    alg: String(r.alg),
    publicJwk: String(r.publicJwk),
    privateKeyEnc: String(r.privateKeyEnc),
    status: String(r.status),
    createdAt: readDate(r.createdAt),
  };
}

/** Keys still published in the JWKS (current and previous), newest first. */
export async function listPublishedKeys(q: TSqlRunner): Promise<TSigningKeyRecord[]> {
  const rows = await q.all<Record<string, unknown>>(
    `SELECT "kid","alg","publicJwk","privateKeyEnc","status","createdAt" FROM "SigningKey" WHERE "status" IN (?, ?) ORDER BY "createdAt" DESC`,
    ["current", "previous"],
  );
  return rows.map(toSigningKey);
}

/** Make `key` the current signing key; the former current key stays published as `previous`. */
export async function insertCurrentKey(
  q: TSqlRunner,
  key: Omit<TSigningKeyRecord, "status" | "createdAt">,
  at: Date,
): Promise<void> {
  await q.transaction(async (tx) => {
    await tx.run(`UPDATE "SigningKey" SET "status" = ?, "rotatedAt" = ? WHERE "status" = ?`, [
      "previous",
      at,
      "current",
    ]);
    await tx.run(
      `INSERT INTO "SigningKey" ("id","kid","alg","publicJwk","privateKeyEnc","status","createdAt") VALUES (?,?,?,?,?,?,?)`,
      [newRowId(), key.kid, key.alg, key.publicJwk, key.privateKeyEnc, "current", at],
    );
  });
}

/** Stop publishing keys that were rotated out (after their tokens have expired). */
export async function revokePreviousKeys(q: TSqlRunner, at: Date): Promise<number> {
  return q.run(`UPDATE "SigningKey" SET "status" = ?, "rotatedAt" = ? WHERE "status" = ?`, [
    "revoked",
    at,
    "previous",
  ]);
}
