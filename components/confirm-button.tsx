"use client";

import { useId, useRef, useState, type ReactNode } from "react";
import { Button } from "./button";

/**
 * A button that asks before it acts: a modal dialog (native <dialog>: focus moves into it, Escape cancels) with the
 * question, Cancel and the confirming action. A failure is shown in the dialog, which stays open.
 */
export function ConfirmButton({
  label,
  buttonLabel,
  title,
  confirmLabel,
  onConfirm,
  children,
  disabled,
  tone,
}: {
  /** Visible text of the button that opens the dialog. */
  label: string;
  /** Accessible name of that button when the visible text alone is ambiguous in a list. */
  buttonLabel?: string;
  title: string;
  confirmLabel: string;
  onConfirm: () => Promise<void>;
  children?: ReactNode;
  disabled?: boolean;
  /** "danger" paints both the opening and the confirming button red: the action destroys something. */
  tone?: "danger";
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function confirm() {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      dialog.current?.close();
    } catch (err) {
      setError(err instanceof Error ? err.message : "The request failed.");
    } finally {
      setBusy(false);
    }
  }
  return (
    <>
      <Button
        type="button"
        aria-label={buttonLabel}
        className={tone}
        disabled={disabled}
        onClick={() => {
          setError(null);
          dialog.current?.showModal();
        }}
      >
        {label}
      </Button>
      <dialog ref={dialog} aria-labelledby={titleId}>
        <h2 id={titleId}>{title}</h2>
        {children}
        {error && <p role="alert">{error}</p>}
        <div className="toolbar end">
          <Button type="button" className="secondary" onClick={() => dialog.current?.close()} disabled={busy}>
            Cancel
          </Button>
          <Button
            type="button"
            className={tone}
            onClick={() => void confirm()}
            disabled={busy}
            aria-busy={busy}
          >
            {busy ? "Working…" : confirmLabel}
          </Button>
        </div>
      </dialog>
    </>
  );
}
