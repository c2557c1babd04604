"use client";

import { useState, type FormEvent } from "react";
import { adminFetch } from "./admin-fetch";
import { FieldError, FormStatus } from "./form-bits";
import { JsonEditor, jsonObjectProblem } from "./json-editor";
import { useAdminForm } from "./use-admin-form";
import { Button } from "./button";

export type TEditableProfile = {
  email: string | null;
  email_verified: boolean;
  username: string | null;
  name: string | null;
  nickname: string | null;
  given_name: string | null;
  family_name: string | null;
  picture: string | null;
  user_metadata: Record<string, unknown>;
  app_metadata: Record<string, unknown>;
};

const TEXT_FIELDS = [
  { name: "email", label: "Email", type: "email" },
  { name: "username", label: "Username", type: "text" },
  { name: "name", label: "Name", type: "text" },
  { name: "nickname", label: "Nickname", type: "text" },
  { name: "given_name", label: "Given name", type: "text" },
  { name: "family_name", label: "Family name", type: "text" },
  { name: "picture", label: "Picture URL", type: "url" },
] as const;

/** Edit a user's profile fields and their user_metadata / app_metadata in JSON editors. */
export function EditUserForm({ userId, profile }: { userId: string; profile: TEditableProfile }) {
  const form = useAdminForm();
  const { fields, fieldProps } = form;
  const [userMeta, setUserMeta] = useState(() => JSON.stringify(profile.user_metadata, null, 2));
  const [appMeta, setAppMeta] = useState(() => JSON.stringify(profile.app_metadata, null, 2));
  const userMetaProblem = jsonObjectProblem(userMeta) ?? fields.user_metadata ?? null;
  const appMetaProblem = jsonObjectProblem(appMeta) ?? fields.app_metadata ?? null;

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (jsonObjectProblem(userMeta) || jsonObjectProblem(appMeta)) {
      form.setError("Fix the metadata JSON before saving.");
      return;
    }
    const f = new FormData(e.currentTarget);
    const body: Record<string, unknown> = {
      email_verified: f.get("email_verified") === "on",
      user_metadata: JSON.parse(userMeta) as unknown,
      app_metadata: JSON.parse(appMeta) as unknown,
    };
    for (const t of TEXT_FIELDS) body[t.name] = String(f.get(t.name) ?? "");
    await form.submit(() =>
      adminFetch(`/api/admin/users/${encodeURIComponent(userId)}`, { method: "PATCH", body }),
    );
  }

  return (
    <form
      onSubmit={(e) => void onSubmit(e)}
      className="admin-form"
      aria-label="Profile and metadata"
      noValidate
    >
      <div className="form-row">
        {TEXT_FIELDS.map((t) => (
          <label key={t.name}>
            {t.label}
            <input
              name={t.name}
              type={t.type}
              defaultValue={profile[t.name] ?? ""}
              autoComplete="off"
              {...fieldProps(t.name)}
            />
            <FieldError name={t.name} fields={fields} />
          </label>
        ))}
      </div>
      <label className="check">
        <input type="checkbox" name="email_verified" defaultChecked={profile.email_verified} /> Email verified
      </label>
      <JsonEditor
        id="user_metadata"
        label="user_metadata"
        value={userMeta}
        onChange={setUserMeta}
        problem={userMetaProblem}
      />
      <JsonEditor
        id="app_metadata"
        label="app_metadata"
        value={appMeta}
        onChange={setAppMeta}
        problem={appMetaProblem}
      />
      <FormStatus error={form.error} saved={form.saved} />
      <div>
        <Button
          type="submit"
          disabled={form.busy || Boolean(jsonObjectProblem(userMeta) || jsonObjectProblem(appMeta))}
        >
          {form.busy ? "Saving…" : "Save profile"}
        </Button>
      </div>
    </form>
  );
}
