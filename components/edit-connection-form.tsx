"use client";

import type { FormEvent } from "react";
import { adminFetch } from "./admin-fetch";
import { FieldError, FormStatus } from "./form-bits";
import { useAdminForm } from "./use-admin-form";
import { Button } from "./button";
import { PasswordPolicyFields, readPasswordOptionsForm } from "./password-policy-fields";
import type { TPasswordOptions } from "@/server/auth/connection-settings";

/**
 * Edit a connection: its name (the realm), the applications that may use it, the default directory, its password
 * policy and whether users may sign up.
 */
export function EditConnectionForm({
  id,
  name,
  enabledClients,
  isDefaultDirectory,
  clients,
  passwordOptions,
  passwordRules,
}: {
  id: string;
  name: string;
  enabledClients: string[];
  isDefaultDirectory: boolean;
  clients: string[];
  passwordOptions: TPasswordOptions;
  passwordRules: string;
}) {
  const form = useAdminForm();
  const { fields, fieldProps } = form;
  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    await form.submit(() =>
      adminFetch(`/api/admin/connections/${encodeURIComponent(id)}`, {
        method: "PATCH",
        body: {
          name: f.get("name"),
          enabled_clients: f.getAll("enabled_clients"),
          is_default_directory: f.get("is_default_directory") === "on",
          options: readPasswordOptionsForm(f),
        },
      }),
    );
  }
  return (
    <form
      onSubmit={(e) => void onSubmit(e)}
      className="admin-form"
      aria-label="Connection settings"
      noValidate
    >
      <label>
        Name (the realm)
        <input name="name" required maxLength={128} defaultValue={name} {...fieldProps("name")} />
        <FieldError name="name" fields={fields} />
      </label>
      <p className="hint">Renaming changes the realm that applications send with the password-realm grant.</p>
      <fieldset {...fieldProps("enabled_clients")}>
        <legend>Applications that may use it</legend>
        {clients.length === 0 && <p className="hint">No applications yet.</p>}
        {clients.map((c) => (
          <label key={c} className="check">
            <input
              type="checkbox"
              name="enabled_clients"
              value={c}
              defaultChecked={enabledClients.includes(c)}
            />{" "}
            {c}
          </label>
        ))}
        <FieldError name="enabled_clients" fields={fields} />
      </fieldset>
      <label className="check">
        <input type="checkbox" name="is_default_directory" defaultChecked={isDefaultDirectory} /> Default
        directory (used by grant_type=password without a realm)
      </label>
      <PasswordPolicyFields options={passwordOptions} rules={passwordRules} fields={fields} />
      <FormStatus error={form.error} saved={form.saved} />
      <div>
        <Button type="submit" disabled={form.busy}>
          {form.busy ? "Saving…" : "Save changes"}
        </Button>
      </div>
    </form>
  );
}
