"use client";

import { useMemo, useRef, useState } from "react";
import { useRouter } from "next/navigation";
import CodeMirror, { type EditorView } from "@uiw/react-codemirror";
import { javascript } from "@codemirror/lang-javascript";
import { forceLinting } from "@codemirror/lint";
import { ruleWarnings } from "@/server/admin/rules/rule-warnings";
import { AdminFetchError, adminFetch } from "./admin-fetch";
import { ConfirmButton } from "./confirm-button";
import {
  editorLabel,
  findSyntaxError,
  ruleCompletions,
  ruleLinter,
  type TServerCompileError,
} from "./rule-script-support";
import { Button } from "./button";
import { codeTheme } from "./code-theme";

type TRule = { id: string; name: string; script: string; enabled: boolean; order: number; version: number };
type TTryResult = {
  ok: boolean;
  id_token_claims: Record<string, unknown>;
  access_token_claims: Record<string, unknown>;
  console: string[];
  duration_ms: number;
  warnings: string[];
  error: { kind: string; message: string } | null;
};

/** Line and column (1-based) of an offset in `text`. */
function lineColumn(text: string, offset: number) {
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

/**
 * The rule editor: CodeMirror with JavaScript highlighting, inline syntax errors and the redirect warning (lint),
 * completion of `user.`, `context.` and `configuration.` fields, save (a new version), enable, delete, and the Try
 * panel. Read-only roles see the script and the diagnostics only.
 */
export function RuleEditor({
  rule,
  warnings,
  canWrite,
  settingKeys,
  redirectRefusal,
}: {
  rule: TRule;
  warnings: string[];
  canWrite: boolean;
  /** Rule setting names, for `configuration.` completion (the values never reach the browser). */
  settingKeys: string[];
  /** The error a password login gets when a rule sets context.redirect. */
  redirectRefusal: string;
}) {
  const router = useRouter();
  const view = useRef<EditorView | null>(null);
  const serverError = useRef<TServerCompileError | null>(null);
  const [script, setScript] = useState(rule.script);
  const [name, setName] = useState(rule.name);
  const [enabled, setEnabled] = useState(rule.enabled);
  const [busy, setBusy] = useState<"save" | "enable" | null>(null);
  const [saveState, setSaveState] = useState<{ ok: boolean; text: string } | null>(null);
  const [savedWarnings, setSavedWarnings] = useState(warnings);
  const [sample, setSample] = useState('{\n  "user": {},\n  "context": {}\n}');
  const [tried, setTried] = useState<TTryResult | null>(null);
  const [trying, setTrying] = useState(false);
  const [tryError, setTryError] = useState<string | null>(null);

  const extensions = useMemo(
    () => [
      ...codeTheme,
      javascript(),
      ruleCompletions(settingKeys),
      ruleLinter({ redirectRefusal, serverError: () => serverError.current }),
      editorLabel("Rule script", "rule-script-help"),
    ],
    [settingKeys, redirectRefusal],
  );
  const syntax = useMemo(() => findSyntaxError(script), [script]);
  const liveWarnings = useMemo(() => ruleWarnings(script), [script]);
  const isDirty = script !== rule.script || name !== rule.name;

  async function save(patch: Record<string, unknown>, kind: "save" | "enable") {
    setBusy(kind);
    setSaveState(null);
    try {
      const res = await adminFetch<{ warnings: string[] }>(`/api/admin/rules/${rule.id}`, {
        method: "PATCH",
        body: patch,
      });
      serverError.current = null;
      setSavedWarnings(res.warnings);
      setSaveState({ ok: true, text: "Saved." });
      router.refresh();
      return true;
    } catch (err) {
      const details =
        err instanceof AdminFetchError ? (err.details as { line?: unknown; column?: unknown }) : null;
      if (typeof details?.line === "number" && typeof details.column === "number" && "script" in patch) {
        // Mark the place the server named until the text changes.
        serverError.current = {
          text: String(patch.script),
          line: details.line,
          column: details.column,
          message: err instanceof Error ? err.message : "The script does not compile",
        };
        if (view.current) forceLinting(view.current);
      }
      setSaveState({ ok: false, text: err instanceof Error ? err.message : "Saving failed." });
      return false;
    } finally {
      setBusy(null);
    }
  }

  async function tryIt() {
    setTryError(null);
    let input: { user?: unknown; context?: unknown };
    try {
      input = JSON.parse(sample) as { user?: unknown; context?: unknown };
    } catch {
      setTryError("The sample is not valid JSON.");
      return;
    }
    setTrying(true);
    try {
      setTried(
        await adminFetch<TTryResult>("/api/admin/rules/try", {
          method: "POST",
          body: { script, name: rule.name, user: input.user ?? {}, context: input.context ?? {} },
        }),
      );
    } catch (err) {
      setTryError(err instanceof Error ? err.message : "Try failed.");
    } finally {
      setTrying(false);
    }
  }

  const syntaxAt = syntax ? lineColumn(script, syntax.from) : null;
  return (
    <div className="stack">
      {canWrite && (
        <label className="field narrow">
          Rule name
          <input value={name} onChange={(e) => setName(e.target.value)} required className="input-block" />
        </label>
      )}
      <div>
        <p id="rule-script-help" className="hint">
          Rule script. Type <code>user.</code>, <code>context.</code> or <code>configuration.</code> for
          fields (Ctrl+Space lists them); problems are marked in the margin and listed below.
        </p>
        <div className="code-frame">
          <CodeMirror
            theme="none"
            value={script}
            height="340px"
            extensions={extensions}
            onChange={setScript}
            onCreateEditor={(v) => {
              view.current = v;
            }}
            readOnly={!canWrite}
          />
        </div>
      </div>
      <div aria-live="polite" data-testid="script-problems">
        {syntax && syntaxAt ? (
          <p className="text-danger flush">
            Syntax error at line {syntaxAt.line}, column {syntaxAt.column}: {syntax.message}
          </p>
        ) : (
          <p className="muted flush">No syntax errors.</p>
        )}
        {liveWarnings.map((w) => (
          <p key={w} className="text-warning flush">
            Warning: {w} Such logins get “{redirectRefusal}”.
          </p>
        ))}
      </div>
      {savedWarnings.length > 0 && liveWarnings.length === 0 && !isDirty && (
        <p role="status">The saved version has warnings: {savedWarnings.join(" ")}</p>
      )}
      {canWrite && (
        <div className="toolbar center">
          <Button
            type="button"
            disabled={busy !== null}
            aria-busy={busy === "save"}
            onClick={() => void save(name !== rule.name ? { name, script } : { script }, "save")}
          >
            {busy === "save" ? "Saving…" : "Save"}
          </Button>
          <label>
            <input
              type="checkbox"
              checked={enabled}
              disabled={busy !== null}
              onChange={(e) => {
                const next = e.target.checked;
                setEnabled(next);
                void save({ enabled: next }, "enable").then((ok) => {
                  if (!ok) setEnabled(!next);
                });
              }}
            />{" "}
            Enabled
          </label>
          {isDirty && <span className="muted">Unsaved changes</span>}
          {saveState && <span role={saveState.ok ? "status" : "alert"}>{saveState.text}</span>}
          <span className="push-end">
            <ConfirmButton
              label="Delete rule"
              tone="danger"
              title={`Delete the rule "${rule.name}"?`}
              confirmLabel="Delete"
              onConfirm={async () => {
                await adminFetch(`/api/admin/rules/${rule.id}`, { method: "DELETE" });
                router.push("/admin/rules");
                router.refresh();
              }}
            >
              <p>It stops running at once and its version history is deleted with it.</p>
            </ConfirmButton>
          </span>
        </div>
      )}
      {canWrite && (
        <section aria-labelledby="try-heading">
          <h2 id="try-heading">Try</h2>
          <label>
            Sample user and context (merged over a realistic password login)
            <textarea
              value={sample}
              onChange={(e) => setSample(e.target.value)}
              rows={6}
              spellCheck={false}
              className="input-block mono"
            />
          </label>
          <Button type="button" onClick={() => void tryIt()} disabled={trying} aria-busy={trying}>
            {trying ? "Running…" : "Try this script"}
          </Button>
          {tryError && <p role="alert">{tryError}</p>}
          {tried && (
            <div data-testid="try-result">
              <p>
                {tried.ok ? "Completed" : `Failed (${tried.error?.kind}): ${tried.error?.message}`} in{" "}
                {tried.duration_ms.toFixed(2)} ms
              </p>
              <h3>Access token claims</h3>
              <pre>{JSON.stringify(tried.access_token_claims, null, 2)}</pre>
              <h3>ID token claims</h3>
              <pre>{JSON.stringify(tried.id_token_claims, null, 2)}</pre>
              <h3>Console</h3>
              <pre>{tried.console.join("\n") || "(nothing)"}</pre>
              {tried.warnings.length > 0 && (
                <>
                  <h3>Warnings</h3>
                  <ul>
                    {tried.warnings.map((w) => (
                      <li key={w}>{w}</li>
                    ))}
                  </ul>
                </>
              )}
            </div>
          )}
        </section>
      )}
    </div>
  );
}

const TEMPLATE = `function (user, context, callback) {
  // Add claims with namespaced names, deny with callback(new UnauthorizedError('…')).
  context.accessToken['https://example.com/roles'] = (user.app_metadata || {}).roles || [];
  callback(null, user, context);
}`;

/** Create a rule (disabled until enabled in the editor) and open it. */
export function NewRuleForm() {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function create(form: FormData) {
    setBusy(true);
    setError(null);
    try {
      const res = await adminFetch<{ rule: { id: string } }>("/api/admin/rules", {
        method: "POST",
        body: { name: String(form.get("name") ?? ""), script: TEMPLATE, enabled: false },
      });
      router.push(`/admin/rules/${res.rule.id}`);
    } catch (err) {
      setError(err instanceof Error ? err.message : "Creating the rule failed.");
      setBusy(false);
    }
  }
  return (
    <form action={(f) => void create(f)} className="toolbar">
      <label>
        New rule name
        <input
          name="name"
          required
          pattern="[A-Za-z0-9]([A-Za-z0-9 \-]*[A-Za-z0-9])?"
          title="Letters, digits, spaces and hyphens, not starting or ending with a space or hyphen"
          className="block"
        />
      </label>
      <Button type="submit" disabled={busy} aria-busy={busy}>
        {busy ? "Creating…" : "Create rule"}
      </Button>
      {error && <p role="alert">{error}</p>}
    </form>
  );
}
