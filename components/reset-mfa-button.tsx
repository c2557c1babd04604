"use client";

import { useState } from "react";
import { useRouter } from "next/navigation";
import { adminFetch } from "./admin-fetch";

/** Remove all of a user's MFA authenticators (lost device); the next MFA login asks for enrolment. */
export function ResetMfaButton({ userId }: { userId: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  async function reset() {
    if (!window.confirm("Remove all MFA authenticators of this user?")) return;
    try {
      await adminFetch(`/api/admin/users/${encodeURIComponent(userId)}/mfa`, { method: "DELETE" });
      router.refresh();
    } catch (err) {
      setError(err instanceof Error ? err.message : "Failed");
    }
  }
  return (
    <>
      <button type="button" onClick={() => void reset()}>
        Reset MFA
      </button>
      {error && <span role="alert"> {error}</span>}
    </>
  );
}
