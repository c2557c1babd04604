import type { TDb, TTx } from "./db.ts";

export type TTenantRecord = {
  friendlyName: string;
  defaultDirectory: string | null;
  defaultAudience: string | null;
  seededAt: Date | null;
  mfaPolicy: TMfaPolicy;
  mfaOtpEnabled: boolean;
  mfaRecoveryCodeEnabled: boolean;
};

/** Tenant MFA policy: Auth0's "Require Multi-factor Auth" never / always (rules may still ask under "never"). */
export type TMfaPolicy = "never" | "always";

/** The tenant settings row; an absent row reads as an unconfigured tenant. */
export async function getTenant(db: TDb): Promise<TTenantRecord> {
  const row = await db.tenant.findUnique({ where: { id: "default" } });
  return {
    friendlyName: row?.friendlyName ?? "Portcullis",
    defaultDirectory: row?.defaultDirectory ?? null,
    defaultAudience: row?.defaultAudience ?? null,
    seededAt: row?.seededAt ?? null,
    mfaPolicy: row?.mfaPolicy === "always" ? "always" : "never",
    mfaOtpEnabled: row?.mfaOtpEnabled ?? true,
    mfaRecoveryCodeEnabled: row?.mfaRecoveryCodeEnabled ?? true,
  };
}

/** Update tenant settings (creating the row on first use). `undefined` leaves a field unchanged. */
export async function updateTenant(
  db: TDb | TTx,
  w: {
    friendlyName?: string;
    defaultDirectory?: string | null;
    defaultAudience?: string | null;
    publicUrl?: string | null;
    seededAt?: Date;
    mfaPolicy?: TMfaPolicy;
    mfaOtpEnabled?: boolean;
    mfaRecoveryCodeEnabled?: boolean;
  },
): Promise<void> {
  await db.tenant.upsert({ where: { id: "default" }, create: { id: "default", ...w }, update: w });
}

/**
 * Claim the one-time demo seed by setting `seededAt` where it is still empty. One UPDATE decides, so exactly one
 * of several server processes starting together on one database wins.
 */
export async function claimDemoSeed(db: TDb, at: Date): Promise<boolean> {
  const row = await db.tenant.findUnique({ where: { id: "default" }, select: { id: true } });
  if (!row) {
    // Concurrent first starts race to create the row; losing that race is harmless.
    await db.tenant.create({ data: { id: "default" } }).catch((err: unknown) => {
      if ((err as { code?: unknown }).code !== "P2002") throw err;
    });
  }
  const { count } = await db.tenant.updateMany({
    where: { id: "default", seededAt: null },
    data: { seededAt: at },
  });
  return count === 1;
}

/** Give back a demo-seed claim made at `at` (the seed failed), so the next start tries again. */
export async function releaseDemoSeed(db: TDb, at: Date): Promise<void> {
  await db.tenant.updateMany({ where: { id: "default", seededAt: at }, data: { seededAt: null } });
}

/** Update tenant settings inside a transaction. */
export async function updateTenantTx(
  tx: TTx,
  w: { defaultDirectory?: string | null; defaultAudience?: string | null },
): Promise<void> {
  await tx.tenant.upsert({ where: { id: "default" }, create: { id: "default", ...w }, update: w });
}
