"use client";

import Link from "next/link";
import { useRef, useState, type CSSProperties, type DragEvent } from "react";
import { adminFetch } from "./admin-fetch";
import { Button } from "./button";

type TListedRule = { id: string; name: string; enabled: boolean; order: number; version: number };

/** Hidden on screen, read by screen readers. */
const srOnly: CSSProperties = {
  position: "absolute",
  width: 1,
  height: 1,
  padding: 0,
  margin: -1,
  overflow: "hidden",
  clip: "rect(0 0 0 0)",
  whiteSpace: "nowrap",
  border: 0,
};

/**
 * The rules in execution order, with an enable toggle per rule and reordering: Move up / Move down buttons (keyboard
 * and screen-reader usable; focus follows the moved rule) or drag and drop. Each change is saved at once through
 * the admin API; the order shown is the one logins run.
 */
export function RulesList({ rules: initial, canWrite }: { rules: TListedRule[]; canWrite: boolean }) {
  const [rules, setRules] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [dragging, setDragging] = useState<string | null>(null);
  const buttons = useRef(new Map<string, HTMLButtonElement | null>());

  async function move(from: number, to: number, how: "button" | "drag") {
    if (busy || to < 0 || to >= rules.length || from === to) return;
    const before = rules;
    const next = [...rules];
    const [moved] = next.splice(from, 1);
    if (!moved) return;
    next.splice(to, 0, moved);
    setRules(next.map((r, i) => ({ ...r, order: i + 1 })));
    setBusy(true);
    setMessage(null);
    try {
      const saved = await adminFetch<TListedRule[]>("/api/admin/rules/reorder", {
        method: "POST",
        body: { ids: next.map((r) => r.id) },
      });
      setRules(saved);
      const position = saved.findIndex((r) => r.id === moved.id) + 1;
      setMessage({ ok: true, text: `Moved ${moved.name} to position ${position} of ${saved.length}.` });
    } catch (err) {
      setRules(before);
      setMessage({
        ok: false,
        text: `The order was not changed: ${err instanceof Error ? err.message : "error"}`,
      });
    } finally {
      setBusy(false);
      if (how === "button") {
        // Keep the keyboard on the rule that moved; at the top or bottom only the other direction is left.
        const key = to < from ? "up" : "down";
        const atEdge = to === 0 || to === rules.length - 1;
        const other = key === "up" ? "down" : "up";
        requestAnimationFrame(() => buttons.current.get(`${moved.id}:${atEdge ? other : key}`)?.focus());
      }
    }
  }

  async function toggle(rule: TListedRule, enabled: boolean) {
    setRules((rs) => rs.map((r) => (r.id === rule.id ? { ...r, enabled } : r)));
    setBusy(true);
    setMessage(null);
    try {
      await adminFetch(`/api/admin/rules/${rule.id}`, { method: "PATCH", body: { enabled } });
      setMessage({ ok: true, text: `${rule.name} is ${enabled ? "enabled" : "disabled"}.` });
    } catch (err) {
      setRules((rs) => rs.map((r) => (r.id === rule.id ? { ...r, enabled: !enabled } : r)));
      setMessage({
        ok: false,
        text: `${rule.name} was not changed: ${err instanceof Error ? err.message : "error"}`,
      });
    } finally {
      setBusy(false);
    }
  }

  function onDrop(e: DragEvent, to: number) {
    e.preventDefault();
    const from = rules.findIndex((r) => r.id === dragging);
    setDragging(null);
    if (from >= 0) void move(from, to, "drag");
  }

  if (rules.length === 0)
    return (
      <p className="empty">
        No rules yet.{" "}
        {canWrite ? "Create one above: it starts disabled, so nothing changes until you enable it." : ""}
      </p>
    );
  return (
    <div>
      <table aria-busy={busy}>
        <caption>
          Execution order: enabled rules run top to bottom on every login.
          {canWrite && " Use the arrows (or drag a row) to change it."}
        </caption>
        <thead>
          <tr>
            <th scope="col">Order</th>
            <th scope="col">Name</th>
            <th scope="col">Enabled</th>
            <th scope="col">Version</th>
            {canWrite && <th scope="col">Move</th>}
          </tr>
        </thead>
        <tbody>
          {rules.map((r, i) => (
            <tr
              key={r.id}
              data-testid="rule-row"
              draggable={canWrite && !busy}
              onDragStart={(e) => {
                setDragging(r.id);
                e.dataTransfer.effectAllowed = "move";
              }}
              onDragEnd={() => setDragging(null)}
              onDragOver={(e) => {
                if (dragging) e.preventDefault();
              }}
              onDrop={(e) => onDrop(e, i)}
              style={{ opacity: dragging === r.id ? 0.5 : 1, cursor: canWrite ? "grab" : undefined }}
            >
              <td>{i + 1}</td>
              <td>
                <Link href={`/admin/rules/${r.id}`}>{r.name}</Link>
              </td>
              <td>
                <label>
                  <input
                    type="checkbox"
                    checked={r.enabled}
                    disabled={!canWrite || busy}
                    onChange={(e) => void toggle(r, e.target.checked)}
                  />{" "}
                  <span style={srOnly}>{r.name} </span>
                  {r.enabled ? "enabled" : "disabled"}
                </label>
              </td>
              <td>{r.version}</td>
              {canWrite && (
                <td className="nowrap">
                  <Button
                    type="button"
                    ref={(el) => {
                      buttons.current.set(`${r.id}:up`, el);
                    }}
                    aria-label={`Move ${r.name} up`}
                    aria-disabled={busy || undefined}
                    disabled={i === 0}
                    onClick={() => void move(i, i - 1, "button")}
                  >
                    ↑
                  </Button>{" "}
                  <Button
                    type="button"
                    ref={(el) => {
                      buttons.current.set(`${r.id}:down`, el);
                    }}
                    aria-label={`Move ${r.name} down`}
                    aria-disabled={busy || undefined}
                    disabled={i === rules.length - 1}
                    onClick={() => void move(i, i + 1, "button")}
                  >
                    ↓
                  </Button>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      <p role={message && !message.ok ? "alert" : "status"} aria-live="polite" className="status-line">
        {busy ? "Saving…" : (message?.text ?? "")}
      </p>
    </div>
  );
}
