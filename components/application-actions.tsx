"use client";

import { useState } from "react";
import { useRouter } from "next/navigation";
import { adminFetch } from "./admin-fetch";

/** Per-application actions: rotate the secret (shown once) and delete (after confirmation). */
export function ApplicationActions({
  clientId,
  name,
  hasSecret,
}: {
  clientId: string;
  name: string;
  hasSecret: boolean;
}) {
  const router = useRouter();
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function rotate() {
    if (!window.confirm(`Rotate the secret of ${name}? The current secret stops working.`)) return;
    try {
      setSecret(
        (
          await adminFetch<{ client_secret: string }>(`/api/admin/applications/${clientId}/secret`, {
            method: "POST",
          })
        ).client_secret,
      );
    } catch (err) {
      setError(err instanceof Error ? err.message : "Failed");
    }
  }
  async function remove() {
    if (!window.confirm(`Delete ${name}? Its refresh tokens are revoked.`)) return;
    try {
      await adminFetch(`/api/admin/applications/${clientId}`, { method: "DELETE" });
      router.refresh();
    } catch (err) {
      setError(err instanceof Error ? err.message : "Failed");
    }
  }
  return (
    <span style={{ display: "inline-flex", gap: "0.5rem", flexWrap: "wrap" }}>
      {hasSecret && (
        <button type="button" onClick={() => void rotate()}>
          Rotate secret
        </button>
      )}
      <button type="button" onClick={() => void remove()} aria-label={`Delete ${name}`}>
        Delete
      </button>
      {secret && (
        <span role="status">
          New secret (shown once): <code>{secret}</code>
        </span>
      )}
      {error && <span role="alert">{error}</span>}
    </span>
  );
}
