"use client";

import { JsonForm } from "./json-form";

/** Create a connection (realm). */
export function CreateConnectionForm({ clients }: { clients: string[] }) {
  return (
    <details className="create-panel">
      <summary>Create connection</summary>
      <JsonForm
        action="/api/admin/connections"
        submitLabel="Create connection"
        toBody={(f) => ({
          name: f.get("name"),
          enabled_clients: f.getAll("enabled_clients"),
          is_default_directory: f.get("is_default_directory") === "on",
        })}
      >
        <label>
          Name (the realm)
          <input name="name" required className="input-block" />
        </label>
        <fieldset>
          <legend>Applications that may use it</legend>
          {clients.map((c) => (
            <label key={c} className="block">
              <input type="checkbox" name="enabled_clients" value={c} /> {c}
            </label>
          ))}
        </fieldset>
        <label>
          <input type="checkbox" name="is_default_directory" /> Default directory (used by
          grant_type=password)
        </label>
      </JsonForm>
    </details>
  );
}

/** Make one connection the default directory. */
export function MakeDefaultButton({ name }: { name: string }) {
  return (
    <JsonForm
      action="/api/admin/tenant/default-directory"
      method="PUT"
      submitLabel="Make default"
      toBody={() => ({ name })}
    >
      <span />
    </JsonForm>
  );
}

/** Create an API; an HS256 API's signing secret is shown once. */
export function CreateApiForm() {
  return (
    <details className="create-panel">
      <summary>Create API</summary>
      <JsonForm<{ identifier: string; signing_secret?: string }>
        action="/api/admin/apis"
        submitLabel="Create API"
        toBody={(f) => ({
          name: f.get("name"),
          identifier: f.get("identifier"),
          scopes: String(f.get("scopes") ?? "")
            .split(/[\s,]+/)
            .filter(Boolean),
          token_lifetime: Number(f.get("token_lifetime")),
          signing_alg: f.get("signing_alg"),
          allow_offline_access: f.get("allow_offline_access") === "on",
        })}
        renderResult={(r) =>
          r.signing_secret ? (
            <p>
              Signing secret (shown once): <code>{r.signing_secret}</code>
            </p>
          ) : (
            <p>Created {r.identifier}.</p>
          )
        }
      >
        <label>
          Name
          <input name="name" required className="input-block" />
        </label>
        <label>
          Identifier (the audience)
          <input name="identifier" required placeholder="https://api.example.com/" className="input-block" />
        </label>
        <label>
          Scopes (space or comma separated)
          <input name="scopes" placeholder="read:items write:items" className="input-block" />
        </label>
        <label>
          Token lifetime (seconds)
          <input
            name="token_lifetime"
            type="number"
            min={60}
            max={2592000}
            defaultValue={86400}
            className="block"
          />
        </label>
        <label>
          Signing algorithm
          <select name="signing_alg" defaultValue="RS256" className="block">
            <option value="RS256">RS256</option>
            <option value="HS256">HS256</option>
          </select>
        </label>
        <label>
          <input type="checkbox" name="allow_offline_access" /> Allow offline access (refresh tokens)
        </label>
      </JsonForm>
    </details>
  );
}
