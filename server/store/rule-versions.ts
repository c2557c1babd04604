import { newRowId, readDate, type TSqlRunner } from "./raw-sql.ts";
import { readOptionalText } from "./write-row.ts";

/** Every column of the RuleVersion table, in schema order. */
export const RULE_VERSION_COLUMNS = [
  "id",
  "ruleId",
  "version",
  "name",
  "script",
  "createdAt",
  "createdBy",
] as const;

export type TRuleVersionRecord = {
  version: number;
  name: string;
  script: string;
  createdAt: Date;
  /** Email of the admin who saved it; null for tenant imports and versions saved before authors were kept. */
  createdBy: string | null;
};

type TRuleVersionRow = Record<"version" | "name" | "script" | "createdAt" | "createdBy", unknown>;

const SELECT = `SELECT "version","name","script","createdAt","createdBy" FROM "RuleVersion"`;

function toRuleVersionRecord(r: TRuleVersionRow): TRuleVersionRecord {
  return {
    version: Number(r.version),
    name: String(r.name),
    script: String(r.script),
    createdAt: readDate(r.createdAt),
    createdBy: readOptionalText(r.createdBy),
  };
}

/** Versions of a rule, newest first. */
export async function listRuleVersions(q: TSqlRunner, ruleId: string): Promise<TRuleVersionRecord[]> {
  const rows = await q.all<TRuleVersionRow>(`${SELECT} WHERE "ruleId" = ? ORDER BY "version" DESC`, [ruleId]);
  return rows.map(toRuleVersionRecord);
}

/** One saved version of a rule. */
export async function findRuleVersion(
  q: TSqlRunner,
  ruleId: string,
  version: number,
): Promise<TRuleVersionRecord | null> {
  const [row] = await q.all<TRuleVersionRow>(`${SELECT} WHERE "ruleId" = ? AND "version" = ?`, [
    ruleId,
    version,
  ]);
  return row ? toRuleVersionRecord(row) : null;
}

/** Save one version of a rule (rules.ts writes them with the rule). */
export async function insertRuleVersion(
  q: TSqlRunner,
  v: { ruleId: string; version: number; name: string; script: string; createdBy: string | null; at: Date },
): Promise<void> {
  await q.run(
    `INSERT INTO "RuleVersion" ("id","ruleId","version","name","script","createdAt","createdBy") VALUES (?,?,?,?,?,?,?)`,
    [newRowId(), v.ruleId, v.version, v.name, v.script, v.at, v.createdBy],
  );
}
