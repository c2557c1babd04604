import { parseJsonColumn } from "./json.ts";
import { isUniqueViolation, type TSqlRunner } from "./raw-sql.ts";
import { columnList, readOptionalDate, readOptionalText, upsertRow } from "./write-row.ts";

/** Every column of the Tenant table (one row, id "default"), in schema order. */
export const TENANT_COLUMNS = [
  "id",
  "friendlyName",
  "defaultDirectory",
  "defaultAudience",
  "publicUrl",
  "seededAt",
  "rulesAllowedHosts",
  "mfaPolicy",
  "mfaOtpEnabled",
  "mfaRecoveryCodeEnabled",
  "createdAt",
  "updatedAt",
] as const;

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

type TTenantRow = Record<(typeof TENANT_COLUMNS)[number], unknown>;

/** The tenant settings row; an absent row reads as an unconfigured tenant. */
export async function getTenant(q: TSqlRunner): Promise<TTenantRecord> {
  const [row] = await q.all<TTenantRow>(
    `SELECT ${columnList(TENANT_COLUMNS)} FROM "Tenant" WHERE "id" = 'default'`,
  );
  return {
    friendlyName: row ? String(row.friendlyName) : "Portcullis",
    defaultDirectory: readOptionalText(row?.defaultDirectory),
    defaultAudience: readOptionalText(row?.defaultAudience),
    seededAt: readOptionalDate(row?.seededAt),
    mfaPolicy: row?.mfaPolicy === "always" ? "always" : "never",
    mfaOtpEnabled: row ? Boolean(row.mfaOtpEnabled) : true,
    mfaRecoveryCodeEnabled: row ? Boolean(row.mfaRecoveryCodeEnabled) : true,
  };
}

/** Update tenant settings (creating the row on first use). `undefined` leaves a field unchanged. */
export async function updateTenant(
  q: TSqlRunner,
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
  at: Date,
): Promise<void> {
  await upsertRow(
    q,
    "Tenant",
    ["id"],
    { id: "default", ...w, createdAt: at, updatedAt: at },
    { ...w, updatedAt: at },
  );
}

/**
 * Claim the one-time demo seed by setting `seededAt` where it is still empty. One UPDATE decides, so exactly one
 * of several server processes starting together on one database wins.
 */
export async function claimDemoSeed(q: TSqlRunner, at: Date): Promise<boolean> {
  const rows = await q.all<{ id: string }>(`SELECT "id" FROM "Tenant" WHERE "id" = 'default'`);
  if (rows.length === 0) {
    // Concurrent first starts race to create the row; losing that race is harmless.
    await q
      .run(`INSERT INTO "Tenant" ("id","createdAt","updatedAt") VALUES ('default',?,?)`, [at, at])
      .catch((err: unknown) => {
        if (!isUniqueViolation(err)) throw err;
      });
  }
  const n = await q.run(
    `UPDATE "Tenant" SET "seededAt" = ?, "updatedAt" = ? WHERE "id" = 'default' AND "seededAt" IS NULL`,
    [at, at],
  );
  return n === 1;
}

/**
 * Give back a demo-seed claim made at `claimedAt` (the seed failed), so the next start tries again; `at` is when
 * it is given back.
 */
export async function releaseDemoSeed(q: TSqlRunner, claimedAt: Date, at: Date): Promise<void> {
  await q.run(
    `UPDATE "Tenant" SET "seededAt" = NULL, "updatedAt" = ? WHERE "id" = 'default' AND "seededAt" = ?`,
    [at, claimedAt],
  );
}

/** Hosts rules may fetch from. */
export async function getRulesAllowedHosts(q: TSqlRunner): Promise<string[]> {
  const [row] = await q.all<{ rulesAllowedHosts: string }>(
    `SELECT "rulesAllowedHosts" FROM "Tenant" WHERE "id" = 'default'`,
  );
  return parseJsonColumn<string[]>(readOptionalText(row?.rulesAllowedHosts), []);
}

/** Replace the hosts rules may fetch from (creating the tenant row on first use). */
export async function setRulesAllowedHosts(q: TSqlRunner, hosts: string[], at: Date): Promise<void> {
  const rulesAllowedHosts = JSON.stringify(hosts);
  await upsertRow(
    q,
    "Tenant",
    ["id"],
    { id: "default", rulesAllowedHosts, createdAt: at, updatedAt: at },
    { rulesAllowedHosts, updatedAt: at },
  );
}

/** Turn rules' fetch off again where a tenant row exists (tests, between cases); never creates the row. */
export async function clearRulesAllowedHosts(q: TSqlRunner, at: Date): Promise<void> {
  await q.run(`UPDATE "Tenant" SET "rulesAllowedHosts" = '[]', "updatedAt" = ?`, [at]);
}
