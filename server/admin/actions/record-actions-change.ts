import type { TDeps } from "../../config/deps.ts";
import type { TSqlRunner } from "../../store/raw-sql.ts";
import { listActionSecretsSealed } from "../../store/action-secrets.ts";
import { redactSettings } from "../../rules/run-login-rules.ts";
import { recordAdminChange } from "../audit.ts";
import type { TActionsActor } from "./action-json.ts";

/** `value` with every secret value (of 4 characters or more) in any string inside it replaced by "[redacted]". */
export function redactDeep(value: unknown, secrets: Record<string, string>): unknown {
  if (typeof value === "string") return redactSettings(value, secrets);
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, secrets));
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v, secrets)]));
  return value;
}

/** Every action secret's value now (opened), to redact from audit records. */
export async function readActionSecretValues(tx: TSqlRunner, deps: Pick<TDeps, "box">): Promise<string[]> {
  return (await listActionSecretsSealed(tx)).map((s) => deps.box.open("action-secret", s.valueEnc));
}

/**
 * Record an actions change (`recordAdminChange`, in the caller's transaction). Code is kept in full, but any action
 * secret's value written into it (or anywhere else in before/after) is replaced by "[redacted]": the current values
 * and `formerValues` (secrets the change removes or replaces, read before it).
 */
export async function recordActionsChange(
  tx: TSqlRunner,
  deps: Pick<TDeps, "box" | "clock">,
  admin: TActionsActor,
  change: { action: string; target: string; before?: unknown; after?: unknown },
  formerValues: readonly string[] = [],
): Promise<void> {
  // Longest first, so a value containing another is redacted whole.
  const values = [...formerValues, ...(await readActionSecretValues(tx, deps))].sort(
    (a, b) => b.length - a.length,
  );
  const secrets = Object.fromEntries(values.map((v, i) => [String(i), v]));
  await recordAdminChange(tx, deps.clock.now(), admin, {
    ...change,
    before: redactDeep(change.before ?? null, secrets),
    after: redactDeep(change.after ?? null, secrets),
  });
}
