"use client";

import { useState } from "react";
import { useRouter } from "next/navigation";
import { adminFetch } from "./admin-fetch";
import { Button } from "./button";

/** Edit one attack-protection policy as JSON (Auth0 Management API shape), saved with PATCH. */
export function PolicyEditor({
  name,
  policy,
  canWrite,
}: {
  name: string;
  policy: unknown;
  canWrite: boolean;
}) {
  const router = useRouter();
  const [text, setText] = useState(JSON.stringify(policy, null, 2));
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  async function save() {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      setMessage({ ok: false, text: "Not valid JSON." });
      return;
    }
    setBusy(true);
    try {
      await adminFetch(`/api/admin/attack-protection/${name}`, { method: "PATCH", body });
      setMessage({ ok: true, text: "Saved. In force on every server within a second." });
      router.refresh();
    } catch (err) {
      setMessage({ ok: false, text: err instanceof Error ? err.message : "Failed" });
    } finally {
      setBusy(false);
    }
  }
  return (
    <div className="stack-sm">
      <label>
        {name}
        <textarea
          value={text}
          onChange={(e) => setText(e.target.value)}
          readOnly={!canWrite}
          rows={Math.min(16, text.split("\n").length + 1)}
          spellCheck={false}
          className="input-block mono"
        />
      </label>
      {canWrite && (
        <Button type="button" onClick={() => void save()} className="self-start" disabled={busy}>
          {busy ? "Saving…" : `Save ${name}`}
        </Button>
      )}
      {message && <p role={message.ok ? "status" : "alert"}>{message.text}</p>}
    </div>
  );
}

/** Lift a brute-force block (by identifier) or an IP throttle block (an IPv4 address or an IPv6 network). */
export function UnblockButton({ kind, value }: { kind: "identifier" | "ip"; value: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function unblock() {
    setBusy(true);
    try {
      // An IPv6 block is a network (`2001:db8::/64`); any address in it lifts it, and its first address keeps
      // a slash out of the URL path.
      const path =
        kind === "ip"
          ? `/api/admin/anomaly/blocks/ips/${encodeURIComponent(value.split("/")[0] ?? value)}`
          : `/api/admin/user-blocks?identifier=${encodeURIComponent(value)}`;
      await adminFetch(path, { method: "DELETE" });
      router.refresh();
    } catch (err) {
      setError(err instanceof Error ? err.message : "Failed");
    } finally {
      setBusy(false);
    }
  }
  return (
    <>
      <Button type="button" onClick={() => void unblock()} aria-label={`Unblock ${value}`} disabled={busy}>
        {busy ? "Unblocking…" : "Unblock"}
      </Button>
      {error && <span role="alert"> {error}</span>}
    </>
  );
}
