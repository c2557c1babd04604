"use client";

import { useState, type FormEvent } from "react";
import { useRouter } from "next/navigation";
import { adminFetch } from "./admin-fetch";
import { APP_TYPES, AUTH_METHODS, Options } from "./application-options";
import { Button } from "./button";
import { CLIENT_CREDENTIALS, MFA_OTP, PASSWORD, REFRESH_TOKEN } from "@/server/oauth/grant-types";

// The server brings the rest of a toggle's group (the realm grant, all MFA grants).
const GRANTS = [
  { value: PASSWORD, label: "Password (with realm)" },
  { value: REFRESH_TOKEN, label: "Refresh token" },
  { value: MFA_OTP, label: "MFA" },
  { value: CLIENT_CREDENTIALS, label: "Client credentials" },
];

/** "Create application": the new client id and, for confidential apps, the secret, shown once. */
export function CreateApplicationForm({ connections }: { connections: string[] }) {
  const router = useRouter();
  const [created, setCreated] = useState<{ client_id: string; client_secret?: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    try {
      const result = await adminFetch<{ client_id: string; client_secret?: string }>(
        "/api/admin/applications",
        {
          method: "POST",
          body: {
            name: f.get("name"),
            app_type: f.get("app_type"),
            is_first_party: f.get("is_first_party") === "on",
            token_endpoint_auth_method: f.get("token_endpoint_auth_method"),
            grant_types: f.getAll("grant_types"),
            is_token_endpoint_ip_header_trusted: f.get("trust_ip_header") === "on",
            connections: f.getAll("connections"),
          },
        },
      );
      setCreated(result);
      router.refresh();
    } catch (err) {
      setError(err instanceof Error ? err.message : "Could not create the application.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <details className="create-panel">
      <summary>Create application</summary>
      <form onSubmit={(e) => void onSubmit(e)} className="stack-sm narrow">
        <label>
          Name
          <input name="name" required maxLength={128} className="input-block" />
        </label>
        <label>
          Type
          <select name="app_type" defaultValue="regular_web" className="block">
            <Options of={APP_TYPES} />
          </select>
        </label>
        <label>
          Token endpoint authentication
          <select name="token_endpoint_auth_method" defaultValue="client_secret_post" className="block">
            <Options of={AUTH_METHODS} />
          </select>
        </label>
        <label>
          <input type="checkbox" name="is_first_party" defaultChecked /> First-party
        </label>
        <label>
          <input type="checkbox" name="trust_ip_header" /> Trust token endpoint IP header
        </label>
        <fieldset>
          <legend>Grant types</legend>
          {GRANTS.map((g) => (
            <label key={g.value} className="block">
              <input
                type="checkbox"
                name="grant_types"
                value={g.value}
                defaultChecked={g.value === "password"}
              />{" "}
              {g.label}
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend>Connections</legend>
          {connections.length === 0 && <p className="hint">No connections yet.</p>}
          {connections.map((c) => (
            <label key={c} className="block">
              <input type="checkbox" name="connections" value={c} /> {c}
            </label>
          ))}
        </fieldset>
        {error && <p role="alert">{error}</p>}
        <Button type="submit" disabled={busy}>
          {busy ? "Creating…" : "Create"}
        </Button>
      </form>
      {created && (
        <div role="status" className="notice">
          <p>
            Created. Client ID: <code data-testid="new-client-id">{created.client_id}</code>
          </p>
          {created.client_secret && (
            <p>
              Client secret (shown once, copy it now):{" "}
              <code data-testid="new-client-secret">{created.client_secret}</code>
            </p>
          )}
        </div>
      )}
    </details>
  );
}
