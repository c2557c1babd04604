import type { TDeps } from "../../config/deps.ts";
import type { TSqlRunner } from "../../store/raw-sql.ts";
import { listRuleSettingsSealed } from "../../store/rule-settings.ts";
import { redactSettings } from "../../rules/run-login-rules.ts";
import { recordAdminChange } from "../audit.ts";
import type { TRulesActor } from "./rule-json.ts";

function redactDeep(value: unknown, configuration: Record<string, string>): unknown {
  if (typeof value === "string") return redactSettings(value, configuration);
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, configuration));
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v, configuration)]));
  return value;
}

/**
 * Record a rules change (`recordAdminChange`, in the caller's transaction). Rule scripts are kept in full, but a
 * rule setting's value written into a script (or anywhere else in before/after) is replaced by "[redacted]": the
 * values are secrets and the log must never hold one.
 */
export async function recordRulesChange(
  tx: TSqlRunner,
  deps: Pick<TDeps, "box" | "clock">,
  admin: TRulesActor,
  change: { action: string; target: string; before?: unknown; after?: unknown },
): Promise<void> {
  const configuration = Object.fromEntries(
    (await listRuleSettingsSealed(tx)).map((s) => [s.key, deps.box.open("rule-setting", s.valueEnc)]),
  );
  await recordAdminChange(tx, deps.clock.now(), admin, {
    ...change,
    before: redactDeep(change.before ?? null, configuration),
    after: redactDeep(change.after ?? null, configuration),
  });
}
