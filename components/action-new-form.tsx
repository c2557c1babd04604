"use client";

import { useState } from "react";
import { useRouter } from "next/navigation";
import { adminFetch } from "./admin-fetch";
import { Button } from "./button";

/** Create an action (a draft from the template, not deployed) and open it in the editor. */
export function NewActionForm() {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function create(form: FormData) {
    setBusy(true);
    setError(null);
    try {
      const res = await adminFetch<{ action: { id: string } }>("/api/admin/actions", {
        method: "POST",
        body: { name: String(form.get("name") ?? "") },
      });
      router.push(`/admin/actions/${res.action.id}`);
    } catch (err) {
      setError(err instanceof Error ? err.message : "Creating the action failed.");
      setBusy(false);
    }
  }
  return (
    <form action={(f) => void create(f)} className="toolbar">
      <label>
        New action name
        <input name="name" required maxLength={255} className="block" />
      </label>
      <Button type="submit" disabled={busy} aria-busy={busy}>
        {busy ? "Creating…" : "Create action"}
      </Button>
      {error && <p role="alert">{error}</p>}
    </form>
  );
}
