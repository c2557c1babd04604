"use client";

import { useState, type FormEvent } from "react";
import { useRouter } from "next/navigation";
import { adminFetch } from "./admin-fetch";
import { ConfirmButton } from "./confirm-button";
import { Button } from "./button";

type TSetting = { key: string; updated_at: string };

const KEY_PATTERN = "[A-Za-z0-9_\\-@*+:]+";

/** Send a value for `key` (new or replacing); on success the form is cleared, so the value does not linger. */
function useSetValue(onDone: (key: string) => void) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function submit(e: FormEvent<HTMLFormElement>, key: string): Promise<boolean> {
    e.preventDefault();
    const form = e.currentTarget;
    const value = String(new FormData(form).get("value") ?? "");
    setBusy(true);
    setError(null);
    try {
      await adminFetch(`/api/admin/rules/settings/${encodeURIComponent(key)}`, {
        method: "PUT",
        body: { value },
      });
      form.reset();
      onDone(key);
      router.refresh();
      return true;
    } catch (err) {
      setError(err instanceof Error ? err.message : "Saving the setting failed.");
      return false;
    } finally {
      setBusy(false);
    }
  }
  return { busy, error, submit };
}

function ReplaceValue({ settingKey, onDone }: { settingKey: string; onDone: (key: string) => void }) {
  const [open, setOpen] = useState(false);
  const { busy, error, submit } = useSetValue((k) => {
    setOpen(false);
    onDone(k);
  });
  if (!open)
    return (
      <Button type="button" aria-label={`Replace the value of ${settingKey}`} onClick={() => setOpen(true)}>
        Replace value
      </Button>
    );
  return (
    <form onSubmit={(e) => void submit(e, settingKey)} className="toolbar">
      <label>
        New value for {settingKey}
        <input
          name="value"
          type="password"
          autoComplete="off"
          required
          maxLength={4096}
          autoFocus
          className="block"
        />
      </label>
      <Button type="submit" disabled={busy} aria-busy={busy} className="self-end">
        {busy ? "Saving…" : "Save value"}
      </Button>
      <Button type="button" onClick={() => setOpen(false)} disabled={busy} className="self-end">
        Cancel
      </Button>
      {error && <p role="alert">{error}</p>}
    </form>
  );
}

/**
 * Rule settings (`configuration` in rules): keys with masked values. A value is sent once, sealed on the server, and
 * never comes back to the browser: it can be replaced or the setting deleted, not read.
 */
export function RuleSettings({ settings, canWrite }: { settings: TSetting[]; canWrite: boolean }) {
  const router = useRouter();
  const [status, setStatus] = useState<string | null>(null);
  const add = useSetValue((k) => setStatus(`Saved ${k}. Its value is now hidden.`));
  const [newKey, setNewKey] = useState("");
  return (
    <div className="stack">
      {settings.length === 0 ? (
        <p className="empty">No rule settings yet.{canWrite ? " Add one below." : ""}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Key</th>
              <th scope="col">Value</th>
              <th scope="col">Updated</th>
              {canWrite && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {settings.map((s) => (
              <tr key={s.key} data-testid="setting-row">
                <td>
                  <code>{s.key}</code>
                </td>
                <td>
                  <span aria-hidden="true">••••</span>
                  <span className="visually-hidden">hidden</span>
                </td>
                <td>
                  <time dateTime={s.updated_at}>{s.updated_at.replace("T", " ").slice(0, 19)} UTC</time>
                </td>
                {canWrite && (
                  <td>
                    <div className="toolbar">
                      <ReplaceValue
                        settingKey={s.key}
                        onDone={(k) => setStatus(`Replaced the value of ${k}.`)}
                      />
                      <ConfirmButton
                        label="Delete"
                        tone="danger"
                        buttonLabel={`Delete ${s.key}`}
                        title={`Delete the rule setting ${s.key}?`}
                        confirmLabel="Delete setting"
                        onConfirm={async () => {
                          await adminFetch(`/api/admin/rules/settings/${encodeURIComponent(s.key)}`, {
                            method: "DELETE",
                          });
                          setStatus(`Deleted ${s.key}.`);
                          router.refresh();
                        }}
                      >
                        <p>
                          Rules that read <code>configuration.{s.key}</code> get <code>undefined</code> from
                          the next login on.
                        </p>
                      </ConfirmButton>
                    </div>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p role="status" aria-live="polite" className="status-line">
        {status ?? ""}
      </p>
      {canWrite && (
        <form
          onSubmit={(e) => {
            setStatus(null);
            void add.submit(e, newKey).then((ok) => {
              if (ok) setNewKey("");
            });
          }}
          aria-labelledby="add-setting-heading"
          className="stack-sm narrow"
        >
          <h2 id="add-setting-heading" className="flush">
            Add a setting
          </h2>
          <label>
            Key
            <input
              name="key"
              value={newKey}
              onChange={(e) => setNewKey(e.target.value)}
              required
              maxLength={127}
              pattern={KEY_PATTERN}
              title="Letters, digits and _ - @ * + :"
              autoComplete="off"
              className="input-block"
            />
          </label>
          <label>
            Value
            <input
              name="value"
              type="password"
              required
              maxLength={4096}
              autoComplete="off"
              className="input-block"
            />
          </label>
          <p className="hint">
            The value is encrypted on the server and cannot be shown again. Saving an existing key replaces
            its value.
          </p>
          {add.error && <p role="alert">{add.error}</p>}
          <Button type="submit" disabled={add.busy} aria-busy={add.busy} className="self-start">
            {add.busy ? "Saving…" : "Add setting"}
          </Button>
        </form>
      )}
    </div>
  );
}
