"use client";

import { useState, type FormEvent } from "react";
import { adminFetch } from "./admin-fetch";
import { APP_TYPES, AUTH_METHODS, Options } from "./application-options";
import { FieldError, FormStatus } from "./form-bits";
import { useAdminForm } from "./use-admin-form";
import { Button } from "./button";
import {
  AUTHORIZATION_CODE,
  CLIENT_CREDENTIALS,
  IMPLICIT,
  MFA_GRANT_GROUP,
  MFA_OTP,
  PASSWORD,
  PASSWORD_GRANT_GROUP,
  REFRESH_TOKEN,
} from "@/server/oauth/grant-types";

// One checkbox per grant family, as in Auth0's dashboard: Password brings the realm grant, MFA all three MFA grants.
const GRANT_GROUPS: { key: string; label: string; values: readonly string[]; send: string }[] = [
  { key: "password", label: "Password (with realm)", values: PASSWORD_GRANT_GROUP, send: PASSWORD },
  { key: "mfa", label: "MFA (OTP, recovery code)", values: MFA_GRANT_GROUP, send: MFA_OTP },
  { key: "refresh_token", label: "Refresh token", values: [REFRESH_TOKEN], send: REFRESH_TOKEN },
  {
    key: "client_credentials",
    label: "Client credentials",
    values: [CLIENT_CREDENTIALS],
    send: CLIENT_CREDENTIALS,
  },
  {
    key: "authorization_code",
    label: "Authorization code",
    values: [AUTHORIZATION_CODE],
    send: AUTHORIZATION_CODE,
  },
  { key: "implicit", label: "Implicit", values: [IMPLICIT], send: IMPLICIT },
];

export type TApplicationSettings = {
  name: string;
  app_type: string;
  is_first_party: boolean;
  token_endpoint_auth_method: string;
  grant_types: string[];
  is_token_endpoint_ip_header_trusted: boolean;
  connections: string[];
  id_token_lifetime: number;
  refresh_token_lifetime: number;
  refresh_idle_lifetime: number;
  refresh_rotation_type: string;
  refresh_leeway: number;
};

/** Edit an application's settings; a secret issued by the change (public → confidential) is shown once. */
export function EditApplicationForm({
  clientId,
  settings,
  allConnections,
}: {
  clientId: string;
  settings: TApplicationSettings;
  allConnections: string[];
}) {
  const form = useAdminForm();
  const [secret, setSecret] = useState<string | null>(null);
  const { fields, fieldProps } = form;

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const chosen = new Set(f.getAll("grant_group").map(String));
    const body = {
      name: f.get("name"),
      app_type: f.get("app_type"),
      is_first_party: f.get("is_first_party") === "on",
      token_endpoint_auth_method: f.get("token_endpoint_auth_method"),
      is_token_endpoint_ip_header_trusted: f.get("is_token_endpoint_ip_header_trusted") === "on",
      grant_types: GRANT_GROUPS.filter((g) => chosen.has(g.key)).map((g) => g.send),
      connections: f.getAll("connections"),
      id_token_lifetime: Number(f.get("id_token_lifetime")),
      refresh_token_lifetime: Number(f.get("refresh_token_lifetime")),
      refresh_idle_lifetime: Number(f.get("refresh_idle_lifetime")),
      refresh_rotation_type: f.get("refresh_rotation_type"),
      refresh_leeway: Number(f.get("refresh_leeway")),
    };
    setSecret(null);
    const result = await form.submit(() =>
      adminFetch<{ client_secret?: string }>(`/api/admin/applications/${encodeURIComponent(clientId)}`, {
        method: "PATCH",
        body,
      }),
    );
    if (result?.client_secret) setSecret(result.client_secret);
  }

  const has = (values: readonly string[]) => values.some((v) => settings.grant_types.includes(v));
  return (
    <form
      onSubmit={(e) => void onSubmit(e)}
      className="admin-form"
      aria-label="Application settings"
      noValidate
    >
      <label>
        Name
        <input name="name" required maxLength={128} defaultValue={settings.name} {...fieldProps("name")} />
        <FieldError name="name" fields={fields} />
      </label>
      <label>
        Type
        <select name="app_type" defaultValue={settings.app_type}>
          <Options of={APP_TYPES} />
        </select>
      </label>
      <label>
        Token endpoint authentication
        <select
          name="token_endpoint_auth_method"
          defaultValue={settings.token_endpoint_auth_method}
          {...fieldProps("token_endpoint_auth_method")}
        >
          <Options of={AUTH_METHODS} />
        </select>
        <FieldError name="token_endpoint_auth_method" fields={fields} />
      </label>
      <label className="check">
        <input type="checkbox" name="is_first_party" defaultChecked={settings.is_first_party} /> First-party
      </label>
      <label className="check">
        <input
          type="checkbox"
          name="is_token_endpoint_ip_header_trusted"
          defaultChecked={settings.is_token_endpoint_ip_header_trusted}
          {...fieldProps("is_token_endpoint_ip_header_trusted")}
        />{" "}
        Trust token endpoint IP header (auth0-forwarded-for)
      </label>
      <FieldError name="is_token_endpoint_ip_header_trusted" fields={fields} />
      <fieldset {...fieldProps("grant_types")}>
        <legend>Grant types</legend>
        {GRANT_GROUPS.map((g) => (
          <label key={g.key} className="check">
            <input type="checkbox" name="grant_group" value={g.key} defaultChecked={has(g.values)} />{" "}
            {g.label}
          </label>
        ))}
        <FieldError name="grant_types" fields={fields} />
      </fieldset>
      <fieldset {...fieldProps("connections")}>
        <legend>Connections this application may use</legend>
        {allConnections.length === 0 && <p className="hint">No connections yet.</p>}
        {allConnections.map((c) => (
          <label key={c} className="check">
            <input
              type="checkbox"
              name="connections"
              value={c}
              defaultChecked={settings.connections.includes(c)}
            />{" "}
            {c}
          </label>
        ))}
        <FieldError name="connections" fields={fields} />
      </fieldset>
      <fieldset>
        <legend>Token lifetimes</legend>
        <div className="form-row">
          <NumberField
            name="id_token_lifetime"
            label="ID token lifetime (seconds)"
            value={settings.id_token_lifetime}
            min={60}
            max={2592000}
            form={form}
          />
          <NumberField
            name="refresh_token_lifetime"
            label="Refresh token lifetime (seconds)"
            value={settings.refresh_token_lifetime}
            min={60}
            max={31557600}
            form={form}
          />
          <NumberField
            name="refresh_idle_lifetime"
            label="Refresh token idle lifetime (seconds)"
            value={settings.refresh_idle_lifetime}
            min={60}
            max={31557600}
            form={form}
          />
          <label>
            Refresh token rotation
            <select name="refresh_rotation_type" defaultValue={settings.refresh_rotation_type}>
              <option value="rotating">Rotating</option>
              <option value="non-rotating">Non-rotating</option>
            </select>
          </label>
          <NumberField
            name="refresh_leeway"
            label="Rotation leeway (seconds)"
            value={settings.refresh_leeway}
            min={0}
            max={300}
            form={form}
          />
        </div>
      </fieldset>
      <FormStatus error={form.error} saved={form.saved} />
      <div>
        <Button type="submit" disabled={form.busy}>
          {form.busy ? "Saving…" : "Save changes"}
        </Button>
      </div>
      {secret && (
        <div role="status" className="notice">
          The application now authenticates with a secret (shown once, copy it now):{" "}
          <code data-testid="issued-client-secret">{secret}</code>
        </div>
      )}
    </form>
  );
}

function NumberField({
  name,
  label,
  value,
  min,
  max,
  form,
}: {
  name: string;
  label: string;
  value: number;
  min: number;
  max: number;
  form: ReturnType<typeof useAdminForm>;
}) {
  return (
    <label>
      {label}
      <input
        name={name}
        type="number"
        inputMode="numeric"
        min={min}
        max={max}
        step={1}
        required
        defaultValue={value}
        {...form.fieldProps(name)}
      />
      <FieldError name={name} fields={form.fields} />
    </label>
  );
}
