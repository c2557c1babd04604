"use client";

import { useState, type FormEvent } from "react";
import { adminFetch } from "./admin-fetch";
import { FieldError, FormStatus } from "./form-bits";
import { useAdminForm } from "./use-admin-form";
import { Button } from "./button";

/** "read:items Read items" per line → {value, description}. */
function parseScopes(text: string) {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [value = "", ...rest] = line.split(/\s+/);
      const description = rest.join(" ");
      return description ? { value, description } : { value };
    });
}

/** Edit an API. The identifier (the audience) is fixed at creation and shown read-only. */
export function EditApiForm({
  id,
  identifier,
  name,
  scopes,
  tokenLifetime,
  signingAlg,
  allowOfflineAccess,
}: {
  id: string;
  identifier: string;
  name: string;
  scopes: { value: string; description?: string }[];
  tokenLifetime: number;
  signingAlg: string;
  allowOfflineAccess: boolean;
}) {
  const form = useAdminForm();
  const { fields, fieldProps } = form;
  const [secret, setSecret] = useState<string | null>(null);
  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    setSecret(null);
    const result = await form.submit(() =>
      adminFetch<{ signing_secret?: string }>(`/api/admin/apis/${encodeURIComponent(id)}`, {
        method: "PATCH",
        body: {
          name: f.get("name"),
          scopes: parseScopes(String(f.get("scopes") ?? "")),
          token_lifetime: Number(f.get("token_lifetime")),
          signing_alg: f.get("signing_alg"),
          allow_offline_access: f.get("allow_offline_access") === "on",
        },
      }),
    );
    if (result?.signing_secret) setSecret(result.signing_secret);
  }
  return (
    <form onSubmit={(e) => void onSubmit(e)} className="admin-form" aria-label="API settings" noValidate>
      <label>
        Identifier (the audience; cannot be changed)
        <input name="identifier" value={identifier} readOnly aria-readonly="true" />
      </label>
      <label>
        Name
        <input name="name" required maxLength={128} defaultValue={name} {...fieldProps("name")} />
        <FieldError name="name" fields={fields} />
      </label>
      <label>
        Scopes (one per line: the scope, then an optional description)
        <textarea
          name="scopes"
          rows={Math.max(3, scopes.length + 1)}
          defaultValue={scopes
            .map((s) => (s.description ? `${s.value} ${s.description}` : s.value))
            .join("\n")}
          {...fieldProps("scopes")}
        />
        <FieldError name="scopes" fields={fields} />
      </label>
      <label>
        Token lifetime (seconds)
        <input
          name="token_lifetime"
          type="number"
          inputMode="numeric"
          min={60}
          max={2592000}
          defaultValue={tokenLifetime}
          {...fieldProps("token_lifetime")}
        />
        <FieldError name="token_lifetime" fields={fields} />
      </label>
      <label>
        Signing algorithm
        <select name="signing_alg" defaultValue={signingAlg} {...fieldProps("signing_alg")}>
          <option value="RS256">RS256 (the tenant&apos;s key pair)</option>
          <option value="HS256">HS256 (a secret shared with the API)</option>
        </select>
        <FieldError name="signing_alg" fields={fields} />
      </label>
      <label className="check">
        <input type="checkbox" name="allow_offline_access" defaultChecked={allowOfflineAccess} /> Allow
        offline access (refresh tokens)
      </label>
      <FormStatus error={form.error} saved={form.saved} />
      <div>
        <Button type="submit" disabled={form.busy}>
          {form.busy ? "Saving…" : "Save changes"}
        </Button>
      </div>
      {secret && (
        <div role="status" className="notice">
          New HS256 signing secret (shown once, copy it now): <code className="wrap-anywhere">{secret}</code>
        </div>
      )}
    </form>
  );
}
