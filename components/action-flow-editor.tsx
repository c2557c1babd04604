"use client";

import { useRef, useState } from "react";
import { useRouter } from "next/navigation";
import Link from "next/link";
import { adminFetch } from "./admin-fetch";
import { Button } from "./button";

type TBound = { actionId: string; actionName: string; displayName: string };
type TBindingJson = { display_name: string; action: { id: string; name: string } };

const fromJson = (b: TBindingJson): TBound => ({
  actionId: b.action.id,
  actionName: b.action.name,
  displayName: b.display_name,
});

/**
 * The post-login flow: the bound actions in run order. Add a deployed action, remove one, move one up or down
 * (keyboard usable; focus follows the moved action), then Save: logins follow at once.
 */
export function ActionFlowEditor({
  bindings,
  deployed,
  canWrite,
}: {
  bindings: TBindingJson[];
  /** Actions that can be bound (deployed ones). */
  deployed: { id: string; name: string }[];
  canWrite: boolean;
}) {
  const router = useRouter();
  const [flow, setFlow] = useState(() => bindings.map(fromJson));
  const [saved, setSaved] = useState(flow);
  const [adding, setAdding] = useState("");
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  const buttons = useRef(new Map<string, HTMLButtonElement | null>());
  const addable = deployed.filter((a) => !flow.some((b) => b.actionId === a.id));
  const isDirty = JSON.stringify(flow) !== JSON.stringify(saved);

  function move(from: number, to: number) {
    if (to < 0 || to >= flow.length) return;
    const next = [...flow];
    const [moved] = next.splice(from, 1);
    if (!moved) return;
    next.splice(to, 0, moved);
    setFlow(next);
    setStatus({
      ok: true,
      text: `Moved ${moved.displayName} to position ${to + 1} of ${next.length} (not saved yet).`,
    });
    const key = to < from ? "up" : "down";
    const atEdge = to === 0 || to === next.length - 1;
    requestAnimationFrame(() =>
      buttons.current.get(`${moved.actionId}:${atEdge ? (key === "up" ? "down" : "up") : key}`)?.focus(),
    );
  }

  async function save() {
    setBusy(true);
    setStatus(null);
    try {
      const res = await adminFetch<{ bindings: TBindingJson[] }>("/api/admin/actions/flows/post-login", {
        method: "PATCH",
        body: {
          bindings: flow.map((b) => ({
            ref: { type: "action_id", value: b.actionId },
            display_name: b.displayName,
          })),
        },
      });
      const next = res.bindings.map(fromJson);
      setFlow(next);
      setSaved(next);
      setStatus({ ok: true, text: "Flow saved: logins run these actions in this order." });
      router.refresh();
    } catch (err) {
      setStatus({ ok: false, text: `Not saved: ${err instanceof Error ? err.message : "error"}` });
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="stack">
      {flow.length === 0 ? (
        <p>No actions are bound: logins run no actions.</p>
      ) : (
        <ol aria-label="Post-login flow" className="flow-list">
          {flow.map((b, i) => (
            <li key={b.actionId} data-testid="flow-binding">
              <div className="toolbar center">
                <Link href={`/admin/actions/${b.actionId}`}>{b.displayName}</Link>
                {b.displayName !== b.actionName && <span className="muted">({b.actionName})</span>}
                {canWrite && (
                  <>
                    <Button
                      type="button"
                      ref={(el) => {
                        buttons.current.set(`${b.actionId}:up`, el);
                      }}
                      disabled={busy || i === 0}
                      aria-label={`Move ${b.displayName} up`}
                      onClick={() => move(i, i - 1)}
                    >
                      Move up
                    </Button>
                    <Button
                      type="button"
                      ref={(el) => {
                        buttons.current.set(`${b.actionId}:down`, el);
                      }}
                      disabled={busy || i === flow.length - 1}
                      aria-label={`Move ${b.displayName} down`}
                      onClick={() => move(i, i + 1)}
                    >
                      Move down
                    </Button>
                    <Button
                      type="button"
                      disabled={busy}
                      aria-label={`Remove ${b.displayName} from the flow`}
                      onClick={() => setFlow(flow.filter((x) => x.actionId !== b.actionId))}
                    >
                      Remove
                    </Button>
                  </>
                )}
              </div>
            </li>
          ))}
        </ol>
      )}
      {canWrite && (
        <div className="toolbar">
          <label>
            Add a deployed action
            <select
              value={adding}
              onChange={(e) => setAdding(e.target.value)}
              disabled={busy || addable.length === 0}
              className="block"
            >
              <option value="">
                {addable.length === 0 ? "(no deployed action left to add)" : "Choose…"}
              </option>
              {addable.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name}
                </option>
              ))}
            </select>
          </label>
          <Button
            type="button"
            disabled={busy || !adding}
            onClick={() => {
              const a = deployed.find((x) => x.id === adding);
              if (!a) return;
              setFlow([...flow, { actionId: a.id, actionName: a.name, displayName: a.name }]);
              setAdding("");
            }}
          >
            Add to flow
          </Button>
        </div>
      )}
      {canWrite && (
        <div className="toolbar center">
          <Button type="button" disabled={busy || !isDirty} aria-busy={busy} onClick={() => void save()}>
            {busy ? "Saving…" : "Save flow"}
          </Button>
          {isDirty && <span className="muted">Unsaved changes</span>}
        </div>
      )}
      <p aria-live="polite" role={status && !status.ok ? "alert" : "status"} className="flush">
        {status?.text}
      </p>
    </div>
  );
}
