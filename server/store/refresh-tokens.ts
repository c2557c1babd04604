import type { TTx, TDb } from "./db.ts";

export type TRefreshTokenRecord = {
  id: string;
  familyId: string;
  clientId: string;
  userId: string;
  audience: string | null;
  scope: string;
  createdAt: Date;
  expiresAt: Date;
  idleExpiresAt: Date;
  rotatedAt: Date | null;
  revokedAt: Date | null;
};

/** Insert a refresh token by its hash. */
export async function insertRefreshToken(
  tx: TTx,
  data: Omit<TRefreshTokenRecord, "id" | "createdAt" | "rotatedAt" | "revokedAt"> & {
    tokenHash: string;
    createdAt: Date;
  },
): Promise<void> {
  await tx.refreshToken.create({ data });
}

/** Look up a refresh token by its hash. */
export async function findRefreshToken(db: TDb, tokenHash: string): Promise<TRefreshTokenRecord | null> {
  return db.refreshToken.findUnique({
    where: { tokenHash },
    select: {
      id: true,
      familyId: true,
      clientId: true,
      userId: true,
      audience: true,
      scope: true,
      createdAt: true,
      expiresAt: true,
      idleExpiresAt: true,
      rotatedAt: true,
      revokedAt: true,
    },
  });
}

/**
 * Atomically mark a token as rotated. Exactly one caller wins, even across server processes, because the
 * condition and the write are one UPDATE; the loser sees `false` and treats the exchange as reuse.
 */
export async function claimRefreshToken(tx: TTx, id: string, at: Date): Promise<boolean> {
  const { count } = await tx.refreshToken.updateMany({
    where: { id, rotatedAt: null, revokedAt: null },
    data: { rotatedAt: at },
  });
  return count === 1;
}

/** Revoke every token of a rotation family (reuse detected). Returns how many were live. */
export async function revokeRefreshFamily(tx: TTx | TDb, familyId: string, at: Date): Promise<number> {
  const { count } = await tx.refreshToken.updateMany({
    where: { familyId, revokedAt: null },
    data: { revokedAt: at },
  });
  return count;
}

/** Extend the idle window of a non-rotating token that was just used. */
export async function touchRefreshToken(tx: TTx, id: string, idleExpiresAt: Date): Promise<void> {
  await tx.refreshToken.update({ where: { id }, data: { idleExpiresAt } });
}
