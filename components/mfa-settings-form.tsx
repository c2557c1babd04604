"use client";

import { useState } from "react";
import { useRouter } from "next/navigation";
import { adminFetch } from "./admin-fetch";
import { Button } from "./button";

type TSettings = { policy: "never" | "always"; otp: boolean; recoveryCode: boolean };

/** Tenant MFA policy and factors. Read-only unless the admin may change configuration. */
export function MfaSettingsForm({ initial, canEdit }: { initial: TSettings; canEdit: boolean }) {
  const router = useRouter();
  const [s, setS] = useState<TSettings>(initial);
  const [message, setMessage] = useState<string | null>(null);
  async function save(e: React.FormEvent) {
    e.preventDefault();
    try {
      await adminFetch("/api/admin/mfa", { method: "PUT", body: s });
      setMessage("Saved.");
      router.refresh();
    } catch (err) {
      setMessage(err instanceof Error ? err.message : "Failed");
    }
  }
  return (
    <form onSubmit={(e) => void save(e)} className="stack-sm narrow">
      <fieldset disabled={!canEdit}>
        <legend>Require Multi-factor Auth</legend>
        <label>
          <input
            type="radio"
            name="policy"
            checked={s.policy === "never"}
            onChange={() => setS({ ...s, policy: "never" })}
          />{" "}
          Never (rules may still require it)
        </label>
        <br />
        <label>
          <input
            type="radio"
            name="policy"
            checked={s.policy === "always"}
            onChange={() => setS({ ...s, policy: "always" })}
          />{" "}
          Always
        </label>
      </fieldset>
      <fieldset disabled={!canEdit}>
        <legend>Factors</legend>
        <label>
          <input type="checkbox" checked={s.otp} onChange={(e) => setS({ ...s, otp: e.target.checked })} />{" "}
          One-time password (authenticator apps)
        </label>
        <br />
        <label>
          <input
            type="checkbox"
            checked={s.recoveryCode}
            onChange={(e) => setS({ ...s, recoveryCode: e.target.checked })}
          />{" "}
          Recovery code
        </label>
      </fieldset>
      {canEdit && <Button type="submit">Save MFA settings</Button>}
      {message && <p role="status">{message}</p>}
    </form>
  );
}
