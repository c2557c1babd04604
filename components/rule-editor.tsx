"use client";

import { useState } from "react";
import { useRouter } from "next/navigation";
import CodeMirror from "@uiw/react-codemirror";
import { javascript } from "@codemirror/lang-javascript";
import { adminFetch } from "./admin-fetch";

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

/** The rule editor: CodeMirror with JavaScript highlighting, save (a new version), enable, and the Try panel. */
export function RuleEditor({
  rule,
  warnings,
  canWrite,
}: {
  rule: TRule;
  warnings: string[];
  canWrite: boolean;
}) {
  const router = useRouter();
  const [script, setScript] = useState(rule.script);
  const [enabled, setEnabled] = useState(rule.enabled);
  const [saveState, setSaveState] = useState<{ ok: boolean; text: string } | null>(null);
  const [currentWarnings, setWarnings] = useState(warnings);
  const [sample, setSample] = useState('{\n  "user": {},\n  "context": {}\n}');
  const [tried, setTried] = useState<TTryResult | null>(null);
  const [tryError, setTryError] = useState<string | null>(null);

  async function save(patch: Record<string, unknown>) {
    try {
      const res = await adminFetch<{ warnings: string[] }>(`/api/admin/rules/${rule.id}`, {
        method: "PATCH",
        body: patch,
      });
      setWarnings(res.warnings);
      setSaveState({ ok: true, text: "Saved." });
      router.refresh();
    } catch (err) {
      setSaveState({ ok: false, text: err instanceof Error ? err.message : "Failed" });
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
    try {
      setTried(
        await adminFetch<TTryResult>("/api/admin/rules/try", {
          method: "POST",
          body: { script, name: rule.name, user: input.user ?? {}, context: input.context ?? {} },
        }),
      );
    } catch (err) {
      setTryError(err instanceof Error ? err.message : "Failed");
    }
  }
  return (
    <div style={{ display: "grid", gap: "1rem" }}>
      <div aria-label="Rule script">
        <CodeMirror
          value={script}
          height="320px"
          extensions={[javascript()]}
          onChange={setScript}
          readOnly={!canWrite}
        />
      </div>
      {currentWarnings.map((w) => (
        <p key={w} role="alert" style={{ color: "#8a5a00" }}>
          {w}
        </p>
      ))}
      {canWrite && (
        <div style={{ display: "flex", gap: "0.75rem", alignItems: "center", flexWrap: "wrap" }}>
          <button type="button" onClick={() => void save({ script })}>
            Save
          </button>
          <label>
            <input
              type="checkbox"
              checked={enabled}
              onChange={(e) => {
                setEnabled(e.target.checked);
                void save({ enabled: e.target.checked });
              }}
            />{" "}
            Enabled
          </label>
          {saveState && <span role={saveState.ok ? "status" : "alert"}>{saveState.text}</span>}
        </div>
      )}
      <section aria-label="Try">
        <h2>Try</h2>
        <label>
          Sample user and context (merged over a realistic password login)
          <textarea
            value={sample}
            onChange={(e) => setSample(e.target.value)}
            rows={6}
            spellCheck={false}
            style={{ display: "block", width: "100%", fontFamily: "ui-monospace, monospace" }}
          />
        </label>
        <button type="button" onClick={() => void tryIt()}>
          Try this script
        </button>
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
          </div>
        )}
      </section>
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
  async function create(form: FormData) {
    try {
      const res = await adminFetch<{ rule: { id: string } }>("/api/admin/rules", {
        method: "POST",
        body: { name: String(form.get("name") ?? ""), script: TEMPLATE, enabled: false },
      });
      router.push(`/admin/rules/${res.rule.id}`);
    } catch (err) {
      setError(err instanceof Error ? err.message : "Failed");
    }
  }
  return (
    <form
      action={(f) => void create(f)}
      style={{ display: "flex", gap: "0.5rem", alignItems: "end", flexWrap: "wrap" }}
    >
      <label>
        New rule name
        <input
          name="name"
          required
          pattern="[A-Za-z0-9][A-Za-z0-9 -]*[A-Za-z0-9]"
          style={{ display: "block" }}
        />
      </label>
      <button type="submit">Create rule</button>
      {error && <p role="alert">{error}</p>}
    </form>
  );
}
