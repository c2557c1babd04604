"use client";

import { useState } from "react";
import { useRouter } from "next/navigation";
import { adminFetch } from "./admin-fetch";
import { Button } from "./button";

/** Remove all of a user's MFA authenticators (lost device); the next MFA login asks for enrolment. */
export function ResetMfaButton({ userId }: { userId: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function reset() {
    if (!window.confirm("Remove all MFA authenticators of this user?")) return;
    setBusy(true);
    try {
      await adminFetch(`/api/admin/users/${encodeURIComponent(userId)}/mfa`, { method: "DELETE" });
      router.refresh();
    } catch (err) {
      setError(err instanceof Error ? err.message : "Failed");
    } finally {
      setBusy(false);
    }
  }
  return (
    <>
      <Button type="button" onClick={() => void reset()} disabled={busy}>
        {busy ? "Resetting…" : "Reset MFA"}
      </Button>
      {error && <span role="alert"> {error}</span>}
    </>
  );
}
