import type { TDb } from "./db.ts";
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

export type TRuleVersionRecord = { version: number; name: string; script: string; createdAt: Date };

const byOrder = [{ order: "asc" as const }, { name: "asc" as const }];

/** Every rule in execution order (order, then name). */
export async function listRules(db: TDb): Promise<TRuleRecord[]> {
  return db.rule.findMany({ orderBy: byOrder });
}

/** Enabled rules in execution order: what a login runs. */
export async function listEnabledRules(db: TDb): Promise<TRuleRecord[]> {
  return db.rule.findMany({ where: { enabled: true }, orderBy: byOrder });
}

export async function findRule(db: TDb, id: string): Promise<TRuleRecord | null> {
  return db.rule.findUnique({ where: { id } });
}

export async function findRuleByName(db: TDb, name: string): Promise<TRuleRecord | null> {
  return db.rule.findUnique({ where: { name } });
}

/** The order after the last rule (new rules without an order run last). */
export async function nextRuleOrder(db: TDb): Promise<number> {
  const last = await db.rule.findFirst({ orderBy: { order: "desc" }, select: { order: true } });
  return (last?.order ?? 0) + 1;
}

/** Insert a rule and its first version in one transaction. */
export async function insertRule(
  db: TDb,
  r: { id: string; name: string; script: string; order: number; enabled: boolean; stage: string },
): Promise<TRuleRecord> {
  return db.$transaction(async (tx) => {
    const row = await tx.rule.create({ data: { ...r, version: 1 } });
    await tx.ruleVersion.create({ data: { ruleId: r.id, version: 1, name: r.name, script: r.script } });
    return row;
  });
}

/**
 * Change a rule. A new name or script becomes a new version (the previous ones stay for rollback); order and enabled
 * change in place. Returns null when the rule does not exist.
 */
export async function updateRule(
  db: TDb,
  id: string,
  patch: { name?: string; script?: string; order?: number; enabled?: boolean },
): Promise<TRuleRecord | null> {
  return db.$transaction(async (tx) => {
    const current = await tx.rule.findUnique({ where: { id } });
    if (!current) return null;
    const name = patch.name ?? current.name;
    const script = patch.script ?? current.script;
    const isNewVersion = name !== current.name || script !== current.script;
    const version = isNewVersion ? current.version + 1 : current.version;
    if (isNewVersion) await tx.ruleVersion.create({ data: { ruleId: id, version, name, script } });
    return tx.rule.update({
      where: { id },
      data: { name, script, version, order: patch.order, enabled: patch.enabled },
    });
  });
}

/** Set the order of several rules at once (all or none). */
export async function setRuleOrders(db: TDb, orders: { id: string; order: number }[]): Promise<void> {
  await db.$transaction(async (tx) => {
    for (const o of orders) await tx.rule.update({ where: { id: o.id }, data: { order: o.order } });
  });
}

/** Delete a rule and its versions; false when it did not exist. */
export async function deleteRule(db: TDb, id: string): Promise<boolean> {
  const { count } = await db.rule.deleteMany({ where: { id } });
  return count === 1;
}

/** Versions of a rule, newest first. */
export async function listRuleVersions(db: TDb, ruleId: string): Promise<TRuleVersionRecord[]> {
  return db.ruleVersion.findMany({
    where: { ruleId },
    orderBy: { version: "desc" },
    select: { version: true, name: true, script: true, createdAt: true },
  });
}

export async function findRuleVersion(
  db: TDb,
  ruleId: string,
  version: number,
): Promise<TRuleVersionRecord | null> {
  return db.ruleVersion.findUnique({
    where: { ruleId_version: { ruleId, version } },
    select: { version: true, name: true, script: true, createdAt: true },
  });
}

/** Rule setting keys (values are never read back out through the admin API). */
export async function listRuleSettingKeys(db: TDb): Promise<{ key: string; updatedAt: Date }[]> {
  return db.ruleSetting.findMany({ orderBy: { key: "asc" }, select: { key: true, updatedAt: true } });
}

/** Every rule setting with its sealed value (for the rules runtime). */
export async function listRuleSettingsSealed(db: TDb): Promise<{ key: string; valueEnc: string }[]> {
  return db.ruleSetting.findMany({ select: { key: true, valueEnc: true } });
}

export async function upsertRuleSetting(db: TDb, key: string, valueEnc: string): Promise<void> {
  await db.ruleSetting.upsert({ where: { key }, create: { key, valueEnc }, update: { valueEnc } });
}

export async function deleteRuleSetting(db: TDb, key: string): Promise<boolean> {
  const { count } = await db.ruleSetting.deleteMany({ where: { key } });
  return count === 1;
}

/** Hosts rules may fetch from. */
export async function getRulesAllowedHosts(db: TDb): Promise<string[]> {
  const row = await db.tenant.findUnique({ where: { id: "default" }, select: { rulesAllowedHosts: true } });
  return parseJsonColumn<string[]>(row?.rulesAllowedHosts, []);
}

export async function setRulesAllowedHosts(db: TDb, hosts: string[]): Promise<void> {
  const rulesAllowedHosts = JSON.stringify(hosts);
  await db.tenant.upsert({
    where: { id: "default" },
    create: { id: "default", rulesAllowedHosts },
    update: { rulesAllowedHosts },
  });
}
