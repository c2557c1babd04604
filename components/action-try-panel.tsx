"use client";

import { useId, useState } from "react";
import { adminFetch } from "./admin-fetch";
import { Button } from "./button";

type TClaim = { action: string; name: string; value: unknown };
type TTryResult = {
  ok: boolean;
  commands: {
    denied: { action: string; reason: string } | null;
    idTokenClaims: TClaim[];
    accessTokenClaims: TClaim[];
    scopes: { action: string; op: "add" | "remove"; scope: string }[];
    multifactor: { provider: string } | null;
    metadata: { app: Record<string, unknown> | null; user: Record<string, unknown> | null };
    redirect: { url: string } | null;
  };
  console: string[];
  trace: { name: string; outcome: string; duration_ms: number }[];
  duration_ms: number;
  failure?: { kind: string; action: string | null; message: string };
};

const claims = (cs: TClaim[]) => Object.fromEntries(cs.map((c) => [c.name, c.value]));

/**
 * Try: run the code in the editor (saved or not) once against an editable event, with the action's secrets and an
 * empty cache; nothing is persisted. Shows what the action asked for, its console output and any failure.
 */
export function ActionTryPanel({
  actionId,
  code,
  sampleEvent,
}: {
  actionId: string;
  code: string;
  sampleEvent: string;
}) {
  const headingId = useId();
  const [event, setEvent] = useState(sampleEvent);
  const [result, setResult] = useState<TTryResult | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function tryIt() {
    setError(null);
    let parsed: unknown;
    try {
      parsed = JSON.parse(event);
    } catch {
      setError("The event is not valid JSON.");
      return;
    }
    setBusy(true);
    try {
      setResult(
        await adminFetch<TTryResult>(`/api/admin/actions/${actionId}/test`, {
          method: "POST",
          body: { code, event: parsed },
        }),
      );
    } catch (err) {
      setError(err instanceof Error ? err.message : "Try failed.");
    } finally {
      setBusy(false);
    }
  }

  const c = result?.commands;
  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId}>Try</h2>
      <label>
        Event (a sample password login; edit it to try other cases)
        <textarea
          value={event}
          onChange={(e) => setEvent(e.target.value)}
          rows={10}
          spellCheck={false}
          className="input-block mono"
        />
      </label>
      <div className="toolbar">
        <Button type="button" onClick={() => void tryIt()} disabled={busy} aria-busy={busy}>
          {busy ? "Running…" : "Try this code"}
        </Button>
        <Button type="button" onClick={() => setEvent(sampleEvent)} disabled={busy}>
          Reset the event
        </Button>
      </div>
      {error && <p role="alert">{error}</p>}
      {result && c && (
        <div data-testid="try-result" aria-live="polite">
          <p>
            {result.failure
              ? `Failed (${result.failure.kind}): ${result.failure.message}`
              : c.denied
                ? `Denied the login: ${c.denied.reason}`
                : "Completed"}{" "}
            in {result.duration_ms.toFixed(2)} ms
          </p>
          <h3>ID token claims</h3>
          <pre data-testid="try-id-token-claims">{JSON.stringify(claims(c.idTokenClaims), null, 2)}</pre>
          <h3>Access token claims</h3>
          <pre>{JSON.stringify(claims(c.accessTokenClaims), null, 2)}</pre>
          {c.scopes.length > 0 && (
            <>
              <h3>Scopes</h3>
              <ul>
                {c.scopes.map((s, i) => (
                  <li key={i}>
                    {s.op === "add" ? "adds" : "removes"} <code>{s.scope}</code>
                  </li>
                ))}
              </ul>
            </>
          )}
          {c.multifactor && <p>Requires MFA with provider {c.multifactor.provider}.</p>}
          {c.redirect && <p>Redirects to {c.redirect.url}: password logins would fail with access_denied.</p>}
          {(c.metadata.app || c.metadata.user) && (
            <>
              <h3>Metadata changes</h3>
              <pre>{JSON.stringify(c.metadata, null, 2)}</pre>
            </>
          )}
          <h3>Console</h3>
          <pre>{result.console.join("\n") || "(nothing)"}</pre>
          <details>
            <summary>All commands (JSON)</summary>
            <pre>{JSON.stringify(c, null, 2)}</pre>
          </details>
        </div>
      )}
    </section>
  );
}
