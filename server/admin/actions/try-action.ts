import { z } from "zod";
import type { TJsonObject } from "../../../rules-runtime/index.ts";
import type { TDeps } from "../../config/deps.ts";
import { ZActionCode } from "../../actions/action-settings.ts";
import { samplePostLoginEvent } from "../../actions/post-login-event.ts";
import { redactSettings } from "../../rules/run-login-rules.ts";
import { redactDeep } from "./record-actions-change.ts";
import { findAction } from "../../store/actions.ts";
import { listActionSecretsSealed } from "../../store/action-secrets.ts";
import { AdminError } from "../admin-error.ts";
import { assertAdminAllowed } from "../admin-access.ts";
import { canPerform } from "../roles.ts";
import type { TActionsActor } from "./action-json.ts";
import { parseActionsInput } from "./parse-actions-input.ts";

/** Nesting an event may have (Auth0's events are a few levels deep; deeper only costs time). */
const MAX_EVENT_DEPTH = 32;

function isDeeper(value: unknown, max: number): boolean {
  if (max < 0) return true;
  if (Array.isArray(value)) return value.some((v) => isDeeper(v, max - 1));
  if (value && typeof value === "object") return Object.values(value).some((v) => isDeeper(v, max - 1));
  return false;
}

export const ZTryAction = z
  .object({
    /** The event to run against (default: a realistic sample password login); its `secrets` are the action's. */
    event: z
      .record(z.string(), z.unknown())
      .refine((e) => !isDeeper(e, MAX_EVENT_DEPTH), `must nest at most ${MAX_EVENT_DEPTH} levels`)
      .optional(),
    /** Unsaved code from the editor; default: the saved draft. */
    code: ZActionCode.optional(),
  })
  .strict();

/**
 * Run an action's draft (or the editor's unsaved `code`) once against an event, as a login would but without one:
 * nothing is persisted, the cache starts empty and its writes are dropped. Returns what the action asked for
 * (`commands`: claims, scopes, deny, MFA, metadata, cache, redirect), its console output, the trace and the failure
 * if it failed. The action's secrets are available with their values redacted from the output; as redaction cannot
 * stop code from encoding a value before printing it, only admins who may change configuration run with the real
 * values, everyone else's runs see `[value of NAME]` placeholders (as for the rules' Try).
 */
export async function tryAction(deps: TDeps, admin: TActionsActor, id: string, body: unknown) {
  assertAdminAllowed(admin, "actions:write");
  const input = parseActionsInput(ZTryAction, body);
  const action = await findAction(deps.db, id);
  if (!action) throw AdminError.notFound("Action not found");
  const secrets: Record<string, string> = {};
  for (const s of await listActionSecretsSealed(deps.db))
    if (s.actionId === id) secrets[s.name] = deps.box.open("action-secret", s.valueEnc);
  const shown = canPerform(admin.role, "config:write")
    ? secrets
    : Object.fromEntries(Object.keys(secrets).map((k) => [k, `[value of ${k}]`]));

  const now = deps.clock.now();
  const event = { ...((input.event as TJsonObject | undefined) ?? samplePostLoginEvent(now)) };
  delete event.secrets;
  const rules = await deps.rules.snapshot();
  const result = await deps.rules.runner.runActions({
    // Its own isolate: code being tried never disturbs logins.
    isolateKey: "try:actions",
    actions: [{ name: action.name, code: input.code ?? action.code, secrets: shown, cache: {} }],
    event,
    executedRules: [],
    fetchAllowedHosts: rules.allowedHosts,
    clockOffsetMs: now.getTime() - Date.now(),
  });

  // Longest first, so a value containing another is redacted whole.
  const values = Object.fromEntries(
    Object.values(secrets)
      .sort((a, b) => b.length - a.length)
      .map((v, i) => [String(i), v]),
  );
  const redact = (s: string) => redactSettings(s, values);
  return {
    ok: result.ok,
    commands: redactDeep(result.commands, values) as typeof result.commands,
    console: result.console.map(redact),
    console_truncated: result.consoleTruncated,
    trace: result.trace.map((t) => ({ name: t.name, outcome: t.outcome, duration_ms: t.durationMs })),
    warnings: result.warnings.map(redact),
    duration_ms: result.durationMs,
    ...(result.ok
      ? {}
      : {
          failure: {
            kind: result.failure.kind,
            action: result.failure.rule,
            message: redact(result.failure.message),
          },
        }),
  };
}
