"use client";

import type { FormEvent } from "react";
import { useRouter } from "next/navigation";
import { adminFetch } from "./admin-fetch";
import { FieldError, FormStatus } from "./form-bits";
import { useAdminForm } from "./use-admin-form";
import { Button } from "./button";

/** "Create user" in a database connection; on success, opens the new user's page. */
export function CreateUserForm({
  connections,
  defaultConnection,
}: {
  connections: string[];
  defaultConnection?: string;
}) {
  const router = useRouter();
  const form = useAdminForm();
  const { fields, fieldProps } = form;
  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const text = (k: string) => String(f.get(k) ?? "").trim();
    const body: Record<string, unknown> = {
      connection: f.get("connection"),
      password: String(f.get("password") ?? ""),
      email_verified: f.get("email_verified") === "on",
    };
    for (const k of ["email", "username", "name"]) if (text(k)) body[k] = text(k);
    const created = await form.submit(
      () => adminFetch<{ user_id: string }>("/api/admin/users", { method: "POST", body }),
      "User created.",
    );
    if (created) router.push(`/admin/users/${encodeURIComponent(created.user_id)}`);
  }
  if (connections.length === 0) return <p className="empty">Create a connection before creating users.</p>;
  return (
    <details className="create-panel">
      <summary>Create user</summary>
      <form
        method="post"
        onSubmit={(e) => void onSubmit(e)}
        className="admin-form"
        aria-label="Create user"
        noValidate
      >
        <label>
          Connection
          <select
            name="connection"
            defaultValue={defaultConnection ?? connections[0]}
            {...fieldProps("connection")}
          >
            {connections.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
          <FieldError name="connection" fields={fields} />
        </label>
        <label>
          Email
          <input name="email" type="email" autoComplete="off" {...fieldProps("email")} />
          <FieldError name="email" fields={fields} />
        </label>
        <label>
          Username (optional)
          <input name="username" autoComplete="off" {...fieldProps("username")} />
          <FieldError name="username" fields={fields} />
        </label>
        <label>
          Name (optional)
          <input name="name" autoComplete="off" {...fieldProps("name")} />
          <FieldError name="name" fields={fields} />
        </label>
        <label>
          Password (8 to 128 characters)
          <input name="password" type="password" autoComplete="new-password" {...fieldProps("password")} />
          <FieldError name="password" fields={fields} />
        </label>
        <label className="check">
          <input type="checkbox" name="email_verified" /> Email verified
        </label>
        <FormStatus error={form.error} saved={null} />
        <div>
          <Button type="submit" disabled={form.busy}>
            {form.busy ? "Creating…" : "Create user"}
          </Button>
        </div>
      </form>
    </details>
  );
}
