"use client";

import { useState, type FormEvent, type ReactNode } from "react";
import { useRouter } from "next/navigation";
import { adminFetch } from "./admin-fetch";
import { Button } from "./button";

/**
 * A form that sends `toBody(formData)` as JSON to an admin API route, then refreshes the page. `renderResult`
 * shows what the server returned once (e.g. a secret).
 */
export function JsonForm<T>({
  action,
  method = "POST",
  toBody,
  submitLabel,
  children,
  renderResult,
}: {
  action: string;
  method?: string;
  toBody: (f: FormData) => unknown;
  submitLabel: string;
  children: ReactNode;
  renderResult?: (result: T) => ReactNode;
}) {
  const router = useRouter();
  const [result, setResult] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setResult(await adminFetch<T>(action, { method, body: toBody(new FormData(e.currentTarget)) }));
      router.refresh();
    } catch (err) {
      setError(err instanceof Error ? err.message : "Request failed");
    } finally {
      setBusy(false);
    }
  }
  return (
    <form onSubmit={(e) => void onSubmit(e)} className="stack-sm narrow">
      {children}
      {error && <p role="alert">{error}</p>}
      <Button type="submit" disabled={busy}>
        {busy ? "Saving…" : submitLabel}
      </Button>
      {result !== null && renderResult && <div role="status">{renderResult(result)}</div>}
    </form>
  );
}
