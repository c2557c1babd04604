"use client";

import { useState } from "react";
import { useRouter } from "next/navigation";
import { adminFetch } from "./admin-fetch";
import { Button } from "./button";

/**
 * Per-application actions: rotate the secret (shown once) and delete (after confirmation). `afterDelete` is where
 * to go once the application is gone (its own page would otherwise show "not found").
 */
export function ApplicationActions({
  clientId,
  name,
  hasSecret,
  afterDelete,
}: {
  clientId: string;
  name: string;
  hasSecret: boolean;
  afterDelete?: string;
}) {
  const router = useRouter();
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<"rotate" | "delete" | null>(null);

  async function rotate() {
    if (!window.confirm(`Rotate the secret of ${name}? The current secret stops working.`)) return;
    setBusy("rotate");
    setError(null);
    try {
      setSecret(
        (
          await adminFetch<{ client_secret: string }>(
            `/api/admin/applications/${encodeURIComponent(clientId)}/secret`,
            { method: "POST" },
          )
        ).client_secret,
      );
    } catch (err) {
      setError(err instanceof Error ? err.message : "Failed");
    } finally {
      setBusy(null);
    }
  }
  async function remove() {
    if (!window.confirm(`Delete ${name}? Its refresh tokens are revoked.`)) return;
    setBusy("delete");
    setError(null);
    try {
      await adminFetch(`/api/admin/applications/${encodeURIComponent(clientId)}`, { method: "DELETE" });
      if (afterDelete) router.push(afterDelete);
      else router.refresh();
    } catch (err) {
      setError(err instanceof Error ? err.message : "Failed");
    } finally {
      setBusy(null);
    }
  }
  return (
    <span className="inline-actions">
      {hasSecret && (
        <Button type="button" className="secondary" onClick={() => void rotate()} disabled={busy !== null}>
          {busy === "rotate" ? "Rotating…" : "Rotate secret"}
        </Button>
      )}
      <Button
        type="button"
        className="danger"
        onClick={() => void remove()}
        aria-label={`Delete ${name}`}
        disabled={busy !== null}
      >
        {busy === "delete" ? "Deleting…" : "Delete"}
      </Button>
      {secret && (
        <span role="status">
          New secret (shown once): <code className="wrap-anywhere">{secret}</code>
        </span>
      )}
      {error && <span role="alert">{error}</span>}
    </span>
  );
}
