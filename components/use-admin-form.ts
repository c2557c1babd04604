"use client";

import { useState } from "react";
import { useRouter } from "next/navigation";
import { AdminFetchError } from "./admin-fetch";

/**
 * State of one dashboard form: pending while a request runs (buttons disable), the error to show at the top,
 * and per-field messages to show next to their controls. `submit` refreshes the page's server data on success.
 */
export function useAdminForm() {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState<string | null>(null);

  async function submit<T>(run: () => Promise<T>, savedText = "Saved."): Promise<T | undefined> {
    setBusy(true);
    setError(null);
    setFields({});
    setSaved(null);
    try {
      const result = await run();
      setSaved(savedText);
      router.refresh();
      return result;
    } catch (err) {
      setError(err instanceof Error ? err.message : "Request failed");
      if (err instanceof AdminFetchError) setFields(err.fields);
      return undefined;
    } finally {
      setBusy(false);
    }
  }

  /** Props that tie a control to its inline message (`aria-invalid`, `aria-describedby`). */
  function fieldProps(name: string) {
    return fields[name] ? { "aria-invalid": true as const, "aria-describedby": `${name}-error` } : {};
  }

  return { busy, error, fields, saved, submit, fieldProps, setFields, setError };
}
