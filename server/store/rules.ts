import type { TDb, TTx } from "./db.ts";
import { parseJsonColumn } from "./json.ts";

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

export type TRuleVersionRecord = {
  version: number;
  name: string;
  script: string;
  createdAt: Date;
  /** Email of the admin who saved it; null for tenant imports and versions saved before authors were kept. */
  createdBy: string | null;
};

const versionFields = { version: true, name: true, script: true, createdAt: true, createdBy: true } as const;

const byOrder = [{ order: "asc" as const }, { name: "asc" as const }];

/** Every rule in execution order (order, then name). */
export async function listRules(db: TTx): Promise<TRuleRecord[]> {
  return db.rule.findMany({ orderBy: byOrder });
}

/** Enabled rules in execution order: what a login runs. */
export async function listEnabledRules(db: TDb): Promise<TRuleRecord[]> {
  return db.rule.findMany({ where: { enabled: true }, orderBy: byOrder });
}

export async function findRule(db: TTx, id: string): Promise<TRuleRecord | null> {
  return db.rule.findUnique({ where: { id } });
}

export async function findRuleByName(db: TTx, name: string): Promise<TRuleRecord | null> {
  return db.rule.findUnique({ where: { name } });
}

/** The order after the last rule (new rules without an order run last). */
export async function nextRuleOrder(db: TTx): Promise<number> {
  const last = await db.rule.findFirst({ orderBy: { order: "desc" }, select: { order: true } });
  return (last?.order ?? 0) + 1;
}

type TNewRule = { id: string; name: string; script: string; order: number; enabled: boolean; stage: string };

/** Insert a rule and its first version in one transaction. */
export async function insertRule(db: TDb, r: TNewRule): Promise<TRuleRecord> {
  return db.$transaction(async (tx) => insertRuleTx(tx, r, null));
}

/** Insert a rule and its first version (saved by `createdBy`) inside the caller's transaction. */
export async function insertRuleTx(tx: TTx, r: TNewRule, createdBy: string | null): Promise<TRuleRecord> {
  const row = await tx.rule.create({ data: { ...r, version: 1 } });
  await tx.ruleVersion.create({
    data: { ruleId: r.id, version: 1, name: r.name, script: r.script, createdBy },
  });
  return row;
}

/**
 * Change a rule. A new name or script becomes a new version (the previous ones stay for rollback); order and enabled
 * change in place. Returns null when the rule does not exist.
 */
export async function updateRule(db: TDb, id: string, patch: TRulePatch): Promise<TRuleRecord | null> {
  return db.$transaction(async (tx) => updateRuleTx(tx, id, patch, null));
}

type TRulePatch = { name?: string; script?: string; order?: number; enabled?: boolean };

/** `updateRule` inside the caller's transaction; a new version records `createdBy` as its author. */
export async function updateRuleTx(
  tx: TTx,
  id: string,
  patch: TRulePatch,
  createdBy: string | null,
): Promise<TRuleRecord | null> {
  const current = await tx.rule.findUnique({ where: { id } });
  if (!current) return null;
  const name = patch.name ?? current.name;
  const script = patch.script ?? current.script;
  const isNewVersion = name !== current.name || script !== current.script;
  const version = isNewVersion ? current.version + 1 : current.version;
  if (isNewVersion) await tx.ruleVersion.create({ data: { ruleId: id, version, name, script, createdBy } });
  return tx.rule.update({
    where: { id },
    data: { name, script, version, order: patch.order, enabled: patch.enabled },
  });
}

/** Set the order of several rules inside the caller's transaction (all or none). */
export async function setRuleOrdersTx(tx: TTx, orders: { id: string; order: number }[]): Promise<void> {
  for (const o of orders) await tx.rule.update({ where: { id: o.id }, data: { order: o.order } });
}

/** Delete a rule and its versions; false when it did not exist. */
export async function deleteRule(db: TTx, id: string): Promise<boolean> {
  const { count } = await db.rule.deleteMany({ where: { id } });
  return count === 1;
}

/** Versions of a rule, newest first. */
export async function listRuleVersions(db: TTx, ruleId: string): Promise<TRuleVersionRecord[]> {
  return db.ruleVersion.findMany({ where: { ruleId }, orderBy: { version: "desc" }, select: versionFields });
}

export async function findRuleVersion(
  db: TTx,
  ruleId: string,
  version: number,
): Promise<TRuleVersionRecord | null> {
  return db.ruleVersion.findUnique({
    where: { ruleId_version: { ruleId, version } },
    select: versionFields,
  });
}

/** Rule setting keys (values are never read back out through the admin API). */
export async function listRuleSettingKeys(db: TTx): Promise<{ key: string; updatedAt: Date }[]> {
  return db.ruleSetting.findMany({ orderBy: { key: "asc" }, select: { key: true, updatedAt: true } });
}

/** Every rule setting with its sealed value (for the rules runtime). */
export async function listRuleSettingsSealed(db: TTx): Promise<{ key: string; valueEnc: string }[]> {
  return db.ruleSetting.findMany({ select: { key: true, valueEnc: true } });
}

/** Whether a rule setting exists (its value is not read). */
export async function hasRuleSetting(db: TTx, key: string): Promise<boolean> {
  return (await db.ruleSetting.findUnique({ where: { key }, select: { key: true } })) !== null;
}

export async function upsertRuleSetting(db: TTx, key: string, valueEnc: string): Promise<void> {
  await db.ruleSetting.upsert({ where: { key }, create: { key, valueEnc }, update: { valueEnc } });
}

export async function deleteRuleSetting(db: TTx, key: string): Promise<boolean> {
  const { count } = await db.ruleSetting.deleteMany({ where: { key } });
  return count === 1;
}

/** Hosts rules may fetch from. */
export async function getRulesAllowedHosts(db: TTx): Promise<string[]> {
  const row = await db.tenant.findUnique({ where: { id: "default" }, select: { rulesAllowedHosts: true } });
  return parseJsonColumn<string[]>(row?.rulesAllowedHosts, []);
}

export async function setRulesAllowedHosts(db: TTx, hosts: string[]): Promise<void> {
  const rulesAllowedHosts = JSON.stringify(hosts);
  await db.tenant.upsert({
    where: { id: "default" },
    create: { id: "default", rulesAllowedHosts },
    update: { rulesAllowedHosts },
  });
}
