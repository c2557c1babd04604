"use client";

import { useState, type FormEvent } from "react";
import { useRouter } from "next/navigation";
import { adminFetch } from "./admin-fetch";
import { Button } from "./button";

/** Set up an authenticator app for the signed-in admin: QR code (and the secret for manual entry), then a code. */
export function TotpEnrollment() {
  const router = useRouter();
  const [pending, setPending] = useState<{ secret: string; qr: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function start() {
    setError(null);
    setBusy(true);
    try {
      setPending(
        await adminFetch<{ secret: string; qr: string }>("/api/admin/account/totp", { method: "POST" }),
      );
    } catch (err) {
      setError(err instanceof Error ? err.message : "Failed");
    } finally {
      setBusy(false);
    }
  }
  async function confirm(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      await adminFetch("/api/admin/account/totp/confirm", {
        method: "POST",
        body: { code: String(new FormData(e.currentTarget).get("code") ?? "") },
      });
      setPending(null);
      router.refresh();
    } catch (err) {
      setError(err instanceof Error ? err.message : "Failed");
    } finally {
      setBusy(false);
    }
  }
  return (
    <div>
      {!pending && (
        <Button type="button" onClick={() => void start()} disabled={busy}>
          Set up authenticator app
        </Button>
      )}
      {pending && (
        <form onSubmit={(e) => void confirm(e)} className="stack-sm narrow">
          <img src={pending.qr} alt="QR code for your authenticator app" width={200} height={200} />
          <p>
            Or enter this key: <code data-testid="totp-secret">{pending.secret}</code>
          </p>
          <label>
            Code from the app
            <input name="code" inputMode="numeric" pattern="[0-9]{6}" required className="block" />
          </label>
          <Button type="submit" disabled={busy}>
            Turn on
          </Button>
        </form>
      )}
      {error && <p role="alert">{error}</p>}
    </div>
  );
}
