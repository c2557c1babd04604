import { readDate, type TSqlRunner } from "./raw-sql.ts";
import { insertRuleVersion } from "./rule-versions.ts";
import { columnList, insertRow, updateRow } from "./write-row.ts";

/** Every column of the Rule table, in schema order. */
export const RULE_COLUMNS = [
  "id",
  "name",
  "script",
  "order",
  "enabled",
  "stage",
  "version",
  "createdAt",
  "updatedAt",
] as const;

export type TRuleRecord = {
  id: string;
  name: string;
  script: string;
  order: number;
  enabled: boolean;
  stage: string;
  version: number;
  createdAt: Date;
  updatedAt: Date;
};

type TRuleRow = Record<(typeof RULE_COLUMNS)[number], unknown>;

const SELECT = `SELECT ${columnList(RULE_COLUMNS)} FROM "Rule"`;
// Execution order: order, then name.
const BY_ORDER = `ORDER BY "order", "name"`;

function toRuleRecord(r: TRuleRow): TRuleRecord {
  return {
    id: String(r.id),
    name: String(r.name),
    script: String(r.script),
    order: Number(r.order),
    enabled: Boolean(r.enabled),
    stage: String(r.stage),
    version: Number(r.version),
    createdAt: readDate(r.createdAt),
    updatedAt: readDate(r.updatedAt),
  };
}

/** Every rule in execution order (order, then name). */
export async function listRules(q: TSqlRunner): Promise<TRuleRecord[]> {
  return (await q.all<TRuleRow>(`${SELECT} ${BY_ORDER}`)).map(toRuleRecord);
}

/** Enabled rules in execution order: what a login runs. */
export async function listEnabledRules(q: TSqlRunner): Promise<TRuleRecord[]> {
  return (await q.all<TRuleRow>(`${SELECT} WHERE "enabled" = ? ${BY_ORDER}`, [true])).map(toRuleRecord);
}

/** One rule by id. */
export async function findRule(q: TSqlRunner, id: string): Promise<TRuleRecord | null> {
  const [row] = await q.all<TRuleRow>(`${SELECT} WHERE "id" = ?`, [id]);
  return row ? toRuleRecord(row) : null;
}

/** One rule by its (unique) name. */
export async function findRuleByName(q: TSqlRunner, name: string): Promise<TRuleRecord | null> {
  const [row] = await q.all<TRuleRow>(`${SELECT} WHERE "name" = ?`, [name]);
  return row ? toRuleRecord(row) : null;
}

/** The order after the last rule (new rules without an order run last). */
export async function nextRuleOrder(q: TSqlRunner): Promise<number> {
  const [row] = await q.all<{ last: unknown }>(`SELECT MAX("order") AS "last" FROM "Rule"`);
  return Number(row?.last ?? 0) + 1;
}

export type TNewRule = {
  id: string;
  name: string;
  script: string;
  order: number;
  enabled: boolean;
  stage: string;
};

/** Insert a rule and its first version (saved by `createdBy`; null for none) at `at`, atomically. */
export async function insertRule(
  q: TSqlRunner,
  r: TNewRule,
  createdBy: string | null,
  at: Date,
): Promise<TRuleRecord> {
  return q.transaction(async (tx) => {
    const row: TRuleRecord = { ...r, version: 1, createdAt: at, updatedAt: at };
    await insertRow(tx, "Rule", row);
    await insertRuleVersion(tx, {
      ruleId: r.id,
      version: 1,
      name: r.name,
      script: r.script,
      createdBy,
      at,
    });
    return row;
  });
}

export type TRulePatch = { name?: string; script?: string; order?: number; enabled?: boolean };

/**
 * Change a rule. A new name or script becomes a new version saved by `createdBy` (the previous ones stay for
 * rollback); order and enabled change in place. Returns null when the rule does not exist.
 */
export async function updateRule(
  q: TSqlRunner,
  id: string,
  patch: TRulePatch,
  createdBy: string | null,
  at: Date,
): Promise<TRuleRecord | null> {
  return q.transaction(async (tx) => {
    const current = await findRule(tx, id);
    if (!current) return null;
    const name = patch.name ?? current.name;
    const script = patch.script ?? current.script;
    const isNewVersion = name !== current.name || script !== current.script;
    const version = isNewVersion ? current.version + 1 : current.version;
    if (isNewVersion) await insertRuleVersion(tx, { ruleId: id, version, name, script, createdBy, at });
    await updateRow(
      tx,
      "Rule",
      { column: "id", value: id },
      { name, script, version, order: patch.order, enabled: patch.enabled, updatedAt: at },
    );
    return findRule(tx, id);
  });
}

/** Set the order of several rules, all or none. */
export async function setRuleOrders(
  q: TSqlRunner,
  orders: { id: string; order: number }[],
  at: Date,
): Promise<void> {
  await q.transaction(async (tx) => {
    for (const o of orders) {
      const n = await updateRow(tx, "Rule", { column: "id", value: o.id }, { order: o.order, updatedAt: at });
      if (n !== 1) throw new Error(`No rule ${o.id} to reorder`);
    }
  });
}

/** Delete a rule and its versions (the foreign key cascades); false when it did not exist. */
export async function deleteRule(q: TSqlRunner, id: string): Promise<boolean> {
  return (await q.run(`DELETE FROM "Rule" WHERE "id" = ?`, [id])) === 1;
}

/** Delete every rule and version (tests reset between cases). */
export async function deleteAllRules(q: TSqlRunner): Promise<void> {
  await q.run(`DELETE FROM "Rule"`);
}
