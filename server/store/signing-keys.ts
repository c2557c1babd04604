import type { TDb } from "./db.ts";

export type TSigningKeyRecord = {
  kid: string;
  alg: string;
  publicJwk: string;
  privateKeyEnc: string;
  status: string;
  createdAt: Date;
};

/** Keys still published in the JWKS (current and previous), newest first. */
export async function listPublishedKeys(db: TDb): Promise<TSigningKeyRecord[]> {
  return db.signingKey.findMany({
    where: { status: { in: ["current", "previous"] } },
    orderBy: { createdAt: "desc" },
    select: { kid: true, alg: true, publicJwk: true, privateKeyEnc: true, status: true, createdAt: true },
  });
}

/** Make `key` the current signing key; the former current key stays published as `previous`. */
export async function insertCurrentKey(
  db: TDb,
  key: Omit<TSigningKeyRecord, "status" | "createdAt">,
  at: Date,
): Promise<void> {
  await db.$transaction([
    db.signingKey.updateMany({ where: { status: "current" }, data: { status: "previous", rotatedAt: at } }),
    db.signingKey.create({ data: { ...key, status: "current", createdAt: at } }),
  ]);
}

/** Stop publishing keys that were rotated out (after their tokens have expired). */
export async function revokePreviousKeys(db: TDb, at: Date): Promise<number> {
  const { count } = await db.signingKey.updateMany({
    where: { status: "previous" },
    data: { status: "revoked", rotatedAt: at },
  });
  return count;
}
