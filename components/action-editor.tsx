"use client";

import { useMemo, useRef, useState } from "react";
import { useRouter } from "next/navigation";
import CodeMirror, { type EditorView } from "@uiw/react-codemirror";
import { javascript } from "@codemirror/lang-javascript";
import { forceLinting } from "@codemirror/lint";
import { actionWarnings } from "@/server/actions/action-warnings";
import { AdminFetchError, adminFetch } from "./admin-fetch";
import { ConfirmButton } from "./confirm-button";
import { Button } from "./button";
import { editorLabel } from "./rule-script-support";
import {
  actionCompletions,
  actionLinter,
  findActionSyntaxError,
  type TServerCodeError,
} from "./action-code-support";
import { ActionDependencies, type TDependency } from "./action-dependencies";
import { ActionSecrets, savedSecretRows, secretsPatch, type TSecretRow } from "./action-secrets";
import { ActionTryPanel } from "./action-try-panel";
import { codeTheme } from "./code-theme";

export type TEditedAction = {
  id: string;
  name: string;
  code: string;
  dependencies: TDependency[];
  secrets: { name: string }[];
  deployed_version: { number: number } | null;
  all_changes_deployed: boolean;
  bound_triggers: string[];
};

type TSaved = { action: TEditedAction; warnings: string[] };

/** Line and column (1-based) of an offset in `text`. */
function lineColumn(text: string, offset: number) {
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

/**
 * The action editor: CodeMirror with completion of `event.` and `api.` members and lint (syntax errors, the
 * server's compile error at its place, the redirect warning), the dependencies and secrets editors, Save draft,
 * Deploy (saving first), Delete, and the Try panel. Read-only roles see the code and its problems.
 */
export function ActionEditor({
  action,
  warnings,
  canWrite,
  availableModules,
  sampleEvent,
}: {
  action: TEditedAction;
  warnings: string[];
  canWrite: boolean;
  availableModules: string[];
  /** The Try panel's starting event (JSON text). */
  sampleEvent: string;
}) {
  const router = useRouter();
  const view = useRef<EditorView | null>(null);
  const serverError = useRef<TServerCodeError | null>(null);
  const [saved, setSaved] = useState(action);
  const [name, setName] = useState(action.name);
  const [code, setCode] = useState(action.code);
  const [dependencies, setDependencies] = useState(action.dependencies);
  const [secrets, setSecrets] = useState<TSecretRow[]>(() =>
    savedSecretRows(action.secrets.map((s) => s.name)),
  );
  const [busy, setBusy] = useState<"save" | "deploy" | null>(null);
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  const [savedWarnings, setSavedWarnings] = useState(warnings);

  const secretNames = useMemo(() => saved.secrets.map((s) => s.name), [saved]);
  const extensions = useMemo(
    () => [
      ...codeTheme,
      javascript(),
      actionCompletions(secretNames),
      actionLinter(() => serverError.current),
      editorLabel("Action code", "action-code-help"),
    ],
    [secretNames],
  );
  const syntax = useMemo(() => findActionSyntaxError(code), [code]);
  const liveWarnings = useMemo(() => actionWarnings(code), [code]);
  const secretsChanged = secrets.some((r) => !r.isSaved || r.isRemoved || r.value !== undefined);
  const isDirty =
    name !== saved.name ||
    code !== saved.code ||
    JSON.stringify(dependencies) !== JSON.stringify(saved.dependencies) ||
    secretsChanged;

  function took(res: TSaved) {
    serverError.current = null;
    setSaved(res.action);
    setSecrets(savedSecretRows(res.action.secrets.map((s) => s.name)));
    setSavedWarnings(res.warnings);
  }

  function failed(err: unknown, what: string) {
    const details =
      err instanceof AdminFetchError ? (err.details as { line?: unknown; column?: unknown }) : null;
    if (typeof details?.line === "number" && typeof details.column === "number") {
      // Mark the place the server named until the text changes.
      serverError.current = {
        text: code,
        line: details.line,
        column: details.column,
        message: err instanceof Error ? err.message : "The code does not compile",
      };
      if (view.current) forceLinting(view.current);
    }
    setStatus({ ok: false, text: `${what}: ${err instanceof Error ? err.message : "failed"}` });
  }

  /** Save the draft; true when saved (or nothing to save). */
  async function saveDraft(): Promise<boolean> {
    if (!isDirty) return true;
    const patch: Record<string, unknown> = { code, dependencies };
    if (name !== saved.name) patch.name = name;
    if (secretsChanged) patch.secrets = secretsPatch(secrets);
    took(await adminFetch<TSaved>(`/api/admin/actions/${action.id}`, { method: "PATCH", body: patch }));
    return true;
  }

  async function run(kind: "save" | "deploy") {
    setBusy(kind);
    setStatus(null);
    try {
      await saveDraft();
      if (kind === "deploy") {
        const res = await adminFetch<TSaved>(`/api/admin/actions/${action.id}/deploy`, { method: "POST" });
        took(res);
        setStatus({ ok: true, text: `Deployed as version ${res.action.deployed_version?.number}.` });
      } else setStatus({ ok: true, text: "Draft saved." });
      router.refresh();
    } catch (err) {
      failed(err, kind === "deploy" ? "Not deployed" : "Not saved");
    } finally {
      setBusy(null);
    }
  }

  const syntaxAt = syntax ? lineColumn(code, syntax.from) : null;
  const isBound = saved.bound_triggers.length > 0;
  return (
    <div className="stack">
      <p data-testid="deploy-state">
        {saved.deployed_version
          ? `Deployed version ${saved.deployed_version.number}${saved.all_changes_deployed ? " · all changes deployed" : " · the draft has changes not deployed"}`
          : "Not deployed yet: logins do not run this action."}
        {isBound ? " · bound to the post-login flow" : " · not bound to a flow"}
      </p>
      {canWrite && (
        <label className="field narrow">
          Action name
          <input value={name} onChange={(e) => setName(e.target.value)} required className="input-block" />
        </label>
      )}
      <div>
        <p id="action-code-help" className="hint">
          Action code (a module exporting <code>onExecutePostLogin</code>). Type <code>event.</code> or{" "}
          <code>api.</code> for members (Ctrl+Space lists them); problems are marked in the margin and listed
          below.
        </p>
        <div className="code-frame">
          <CodeMirror
            theme="none"
            value={code}
            height="340px"
            extensions={extensions}
            onChange={setCode}
            onCreateEditor={(v) => {
              view.current = v;
            }}
            readOnly={!canWrite}
          />
        </div>
      </div>
      <div aria-live="polite" data-testid="code-problems">
        {syntax && syntaxAt ? (
          <p className="text-danger flush">
            Syntax error at line {syntaxAt.line}, column {syntaxAt.column}: {syntax.message}
          </p>
        ) : (
          <p className="muted flush">No syntax errors.</p>
        )}
        {liveWarnings.map((w) => (
          <p key={w} className="text-warning flush">
            Warning: {w}
          </p>
        ))}
      </div>
      {savedWarnings.length > 0 && liveWarnings.length === 0 && !isDirty && (
        <p role="status">The saved draft has warnings: {savedWarnings.join(" ")}</p>
      )}
      <ActionDependencies
        dependencies={dependencies}
        available={availableModules}
        onChange={setDependencies}
        disabled={!canWrite || busy !== null}
      />
      {canWrite && <ActionSecrets rows={secrets} onChange={setSecrets} disabled={busy !== null} />}
      {canWrite && (
        <div className="toolbar center">
          <Button
            type="button"
            disabled={busy !== null}
            aria-busy={busy === "save"}
            onClick={() => void run("save")}
          >
            {busy === "save" ? "Saving…" : "Save draft"}
          </Button>
          <Button
            type="button"
            disabled={busy !== null}
            aria-busy={busy === "deploy"}
            onClick={() => void run("deploy")}
          >
            {busy === "deploy" ? "Deploying…" : isDirty ? "Save and deploy" : "Deploy"}
          </Button>
          {isDirty && <span className="muted">Unsaved changes</span>}
          {status && <span role={status.ok ? "status" : "alert"}>{status.text}</span>}
          <span className="push-end">
            <ConfirmButton
              label="Delete action"
              tone="danger"
              title={`Delete the action "${saved.name}"?`}
              confirmLabel="Delete"
              onConfirm={async () => {
                await adminFetch(`/api/admin/actions/${action.id}${isBound ? "?force=true" : ""}`, {
                  method: "DELETE",
                });
                router.push("/admin/actions");
                router.refresh();
              }}
            >
              <p>
                Its versions and secrets are deleted with it.
                {isBound &&
                  " It is bound to the post-login flow: it is removed from the flow and stops running at once."}
              </p>
            </ConfirmButton>
          </span>
        </div>
      )}
      {canWrite && <ActionTryPanel actionId={action.id} code={code} sampleEvent={sampleEvent} />}
    </div>
  );
}
