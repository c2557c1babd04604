"use client";

import { useId } from "react";
import { Button } from "./button";

/**
 * One row of the secrets editor. A saved secret is shown as set (its value never reaches the browser) and is kept,
 * replaced (a new value typed) or removed; a new one needs a name and a value.
 */
export type TSecretRow = {
  key: string;
  name: string;
  /** Saved on the server (its value is kept unless replaced). */
  isSaved: boolean;
  /** A new value to set; undefined keeps a saved secret's value. */
  value?: string;
  isRemoved?: boolean;
};

/** The `secrets` of a PATCH: the ones to keep, each with a value to set or none to keep the saved one. */
export function secretsPatch(rows: readonly TSecretRow[]): { name: string; value?: string }[] {
  return rows
    .filter((r) => !r.isRemoved && r.name.trim() !== "")
    .map((r) => (r.value === undefined ? { name: r.name.trim() } : { name: r.name.trim(), value: r.value }));
}

let nextKey = 0;
/** Rows for the secrets the server has. */
export function savedSecretRows(names: readonly string[]): TSecretRow[] {
  return names.map((name) => ({ key: `s${nextKey++}`, name, isSaved: true }));
}

/** Secrets editor: masked values, set / replace / remove, add a secret. */
export function ActionSecrets({
  rows,
  onChange,
  disabled,
}: {
  rows: TSecretRow[];
  onChange: (rows: TSecretRow[]) => void;
  disabled: boolean;
}) {
  const headingId = useId();
  const update = (key: string, patch: Partial<TSecretRow>) =>
    onChange(rows.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId}>Secrets</h2>
      <p className="hint">
        Read in code as <code>event.secrets.NAME</code>. Values are stored encrypted and never shown again
        after saving; changes are in force for the deployed version as soon as they are saved.
      </p>
      {rows.length === 0 && <p>No secrets.</p>}
      <ul className="plain-list">
        {rows.map((r) => (
          <li key={r.key} data-testid="secret-row" className="toolbar">
            {r.isSaved ? (
              <span className="secret-name">
                <code>{r.name}</code>{" "}
                {r.isRemoved ? (
                  <em>will be removed on save</em>
                ) : r.value === undefined ? (
                  <span aria-label="value set, hidden">•••••• (set)</span>
                ) : null}
              </span>
            ) : (
              <label>
                Secret name
                <input
                  value={r.name}
                  disabled={disabled}
                  onChange={(e) => update(r.key, { name: e.target.value })}
                  pattern="[A-Za-z_][A-Za-z0-9_\-]*"
                  title="Letters, digits, underscores and hyphens, not starting with a digit"
                  className="block"
                />
              </label>
            )}
            {!r.isRemoved && (r.value !== undefined || !r.isSaved) && (
              <label>
                {r.isSaved ? `New value for ${r.name}` : "Value"}
                <input
                  type="password"
                  autoComplete="off"
                  value={r.value ?? ""}
                  disabled={disabled}
                  onChange={(e) => update(r.key, { value: e.target.value })}
                  className="block"
                />
              </label>
            )}
            {r.isSaved && !r.isRemoved && r.value === undefined && (
              <Button
                type="button"
                disabled={disabled}
                aria-label={`Replace secret ${r.name}`}
                onClick={() => update(r.key, { value: "" })}
              >
                Replace
              </Button>
            )}
            {r.isSaved && !r.isRemoved && r.value !== undefined && (
              <Button
                type="button"
                disabled={disabled}
                aria-label={`Keep the current value of ${r.name}`}
                onClick={() => update(r.key, { value: undefined })}
              >
                Keep current value
              </Button>
            )}
            {r.isRemoved ? (
              <Button
                type="button"
                disabled={disabled}
                aria-label={`Undo removing ${r.name}`}
                onClick={() => update(r.key, { isRemoved: false })}
              >
                Undo remove
              </Button>
            ) : (
              <Button
                type="button"
                disabled={disabled}
                aria-label={`Remove secret ${r.name || "(new)"}`}
                onClick={() =>
                  r.isSaved
                    ? update(r.key, { isRemoved: true })
                    : onChange(rows.filter((x) => x.key !== r.key))
                }
              >
                Remove
              </Button>
            )}
          </li>
        ))}
      </ul>
      <Button
        type="button"
        disabled={disabled}
        onClick={() => onChange([...rows, { key: `n${nextKey++}`, name: "", isSaved: false, value: "" }])}
      >
        Add secret
      </Button>
    </section>
  );
}
