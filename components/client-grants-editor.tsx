"use client";

import { useState, type FormEvent } from "react";
import { useRouter } from "next/navigation";
import { adminFetch } from "./admin-fetch";
import { Button } from "./button";

/** One application × API pair (see server/admin/client-grants/get-application-client-grants.ts). */
export type TClientGrantRow = {
  label: string;
  clientId: string;
  audience: string;
  available: string[];
  grant: { id: string; scope: string[] } | null;
  hasGrantType: boolean;
};

/** One row: authorize the pair (creating the client grant), choose its scopes, or revoke it. */
function GrantRow({ row }: { row: TClientGrantRow }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [authorized, setAuthorized] = useState(row.grant !== null);
  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const scope = row.available.filter((s) => f.get(`scope:${s}`) === "on");
    setBusy(true);
    setError(null);
    setSaved(null);
    try {
      if (authorized && row.grant) {
        await adminFetch(`/api/admin/client-grants/${encodeURIComponent(row.grant.id)}`, {
          method: "PATCH",
          body: { scope },
        });
      } else if (authorized) {
        await adminFetch("/api/admin/client-grants", {
          method: "POST",
          body: { client_id: row.clientId, audience: row.audience, scope },
        });
      } else if (row.grant) {
        await adminFetch(`/api/admin/client-grants/${encodeURIComponent(row.grant.id)}`, {
          method: "DELETE",
        });
      }
      setSaved("Saved.");
      router.refresh();
    } catch (err) {
      setError(err instanceof Error ? err.message : "Failed");
    } finally {
      setBusy(false);
    }
  }
  return (
    <form
      onSubmit={(e) => void onSubmit(e)}
      className="admin-form"
      aria-label={`Access: ${row.label}`}
      data-testid="client-grant-row"
      noValidate
    >
      <fieldset>
        <legend>{row.label}</legend>
        <label className="check">
          <input
            type="checkbox"
            name="authorized"
            checked={authorized}
            onChange={(e) => setAuthorized(e.currentTarget.checked)}
          />{" "}
          Authorized (client_credentials tokens)
        </label>
        {!row.hasGrantType && (
          <p className="hint">
            This application does not hold the client_credentials grant type: enable it to get tokens.
          </p>
        )}
        {authorized &&
          (row.available.length === 0 ? (
            <p className="hint">The API defines no scopes.</p>
          ) : (
            row.available.map((s) => (
              <label key={s} className="check">
                <input
                  type="checkbox"
                  name={`scope:${s}`}
                  defaultChecked={row.grant?.scope.includes(s) ?? false}
                />{" "}
                <code>{s}</code>
              </label>
            ))
          ))}
      </fieldset>
      {error && (
        <p role="alert" className="form-error">
          {error}
        </p>
      )}
      {saved && !error && (
        <p role="status" className="form-saved">
          {saved}
        </p>
      )}
      <div>
        <Button type="submit" disabled={busy}>
          {busy ? "Saving…" : "Save"}
        </Button>
      </div>
    </form>
  );
}

/**
 * Machine-to-machine access: which applications may get client_credentials tokens for an API, with which of its
 * scopes (Auth0's client grants). Shown on the API screen (a row per application) and the application screen (a row
 * per API).
 */
export function ClientGrantsEditor({ rows, empty }: { rows: TClientGrantRow[]; empty: string }) {
  if (rows.length === 0) return <p>{empty}</p>;
  return (
    <div className="client-grants">
      {rows.map((r) => (
        <GrantRow key={`${r.clientId}\n${r.audience}`} row={r} />
      ))}
    </div>
  );
}

/** Read-only view of the same rows, for roles that may not change configuration. */
export function ClientGrantsFacts({ rows, empty }: { rows: TClientGrantRow[]; empty: string }) {
  const granted = rows.filter((r) => r.grant);
  if (granted.length === 0) return <p>{empty}</p>;
  return (
    <dl className="facts">
      {granted.map((r) => (
        <div key={`${r.clientId}\n${r.audience}`}>
          <dt>{r.label}</dt>
          <dd>{r.grant?.scope.join(" ") || "no scopes"}</dd>
        </div>
      ))}
    </dl>
  );
}
