"use client";

import { useState } from "react";
import { adminFetch } from "./admin-fetch";
import { Button } from "./button";

/**
 * Help-desk reset: asks for a password-change ticket and shows its link once (it is not stored anywhere the
 * dashboard can read it again; a new click makes a new link, and a reset through any of them ends the others).
 */
export function PasswordResetLinkButton({ userId }: { userId: string }) {
  const [link, setLink] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [verify, setVerify] = useState(false);
  async function create() {
    setBusy(true);
    setError(null);
    setLink(null);
    try {
      const { ticket } = await adminFetch<{ ticket: string }>(
        `/api/admin/users/${encodeURIComponent(userId)}/password-change-ticket`,
        { method: "POST", body: { mark_email_as_verified: verify } },
      );
      setLink(ticket);
    } catch (err) {
      setError(err instanceof Error ? err.message : "Failed");
    } finally {
      setBusy(false);
    }
  }
  return (
    <div className="stack-sm">
      <label className="check">
        <input type="checkbox" checked={verify} onChange={(e) => setVerify(e.target.checked)} /> Mark the
        email as verified when the link is used
      </label>
      <Button type="button" onClick={() => void create()} disabled={busy}>
        Create password reset link
      </Button>
      {error && <span role="alert"> {error}</span>}
      {link && (
        <p role="status">
          <label>
            Reset link (shown once; it works once, for 5 days)
            <input
              readOnly
              value={link}
              aria-label="Password reset link"
              onFocus={(e) => e.target.select()}
            />
          </label>
        </p>
      )}
    </div>
  );
}
