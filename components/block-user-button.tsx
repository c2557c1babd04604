"use client";

import { useState } from "react";
import { useRouter } from "next/navigation";
import { adminFetch } from "./admin-fetch";
import { Button } from "./button";

/** Admin block / unblock of one user. */
export function BlockUserButton({ userId, blocked }: { userId: string; blocked: boolean }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function toggle() {
    setBusy(true);
    setError(null);
    try {
      await adminFetch(`/api/admin/users/${encodeURIComponent(userId)}/block`, {
        method: "POST",
        body: { blocked: !blocked },
      });
      router.refresh();
    } catch (err) {
      setError(err instanceof Error ? err.message : "Failed");
    } finally {
      setBusy(false);
    }
  }
  return (
    <>
      <Button
        type="button"
        className={blocked ? undefined : "danger"}
        onClick={() => void toggle()}
        disabled={busy}
      >
        {blocked ? "Unblock user" : "Block user"}
      </Button>
      {error && <span role="alert"> {error}</span>}
    </>
  );
}
