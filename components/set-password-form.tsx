"use client";

import type { FormEvent } from "react";
import { adminFetch } from "./admin-fetch";
import { FormStatus } from "./form-bits";
import { useAdminForm } from "./use-admin-form";
import { Button } from "./button";

/** Set a user's password (the length policy and the breached-password check apply on the server). */
export function SetPasswordForm({ userId }: { userId: string }) {
  const form = useAdminForm();
  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const target = e.currentTarget;
    const password = String(new FormData(target).get("password") ?? "");
    const done = await form.submit(
      () =>
        adminFetch<{ released_blocks: number }>(`/api/admin/users/${encodeURIComponent(userId)}`, {
          method: "PATCH",
          body: { password },
        }),
      "Password set. The user's login blocks, if any, have ended, and their refresh tokens are revoked.",
    );
    if (done) target.reset();
  }
  return (
    <form
      method="post"
      onSubmit={(e) => void onSubmit(e)}
      className="admin-form"
      aria-label="Set password"
      noValidate
    >
      <label>
        New password (8 to 128 characters; breached passwords are refused when detection is on)
        <input
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={8}
          maxLength={128}
          {...(form.error ? { "aria-invalid": true, "aria-describedby": "set-password-status" } : {})}
        />
      </label>
      <div id="set-password-status">
        <FormStatus error={form.error} saved={form.saved} />
      </div>
      <div>
        <Button type="submit" disabled={form.busy}>
          {form.busy ? "Setting…" : "Set password"}
        </Button>
      </div>
    </form>
  );
}
