import Link from "next/link";
import { notFound } from "next/navigation";
import type { CSSProperties } from "react";
import { getDeps } from "@/server/config/deps";
import { getAction } from "@/server/admin/actions/get-action";
import { listActionVersions } from "@/server/admin/actions/list-action-versions";
import { diffActionVersion } from "@/server/admin/actions/diff-action-version";
import type { TDiffLine } from "@/server/admin/rules/diff-rule-version";
import { getPageAdmin } from "@/server/admin/session";
import { canPerform } from "@/server/admin/roles";
import { Forbidden } from "@/components/forbidden";
import { ActionRollbackButton } from "@/components/action-rollback-button";

const srOnly: CSSProperties = {
  position: "absolute",
  width: 1,
  height: 1,
  overflow: "hidden",
  clip: "rect(0 0 0 0)",
  whiteSpace: "nowrap",
};

/** Each kind of line is told by its sign and by hidden text, not by colour alone. */
const LINE_STYLE: Record<TDiffLine["kind"], { sign: string; said: string; background?: string }> = {
  added: { sign: "+", said: "added" },
  removed: { sign: "−", said: "removed" },
  unchanged: { sign: " ", said: "unchanged" },
};

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;

export default async function ActionHistoryPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ compare?: string }>;
}) {
  const admin = await getPageAdmin("actions:read");
  if (!admin) return <Forbidden />;
  const { id } = await params;
  const { compare } = await searchParams;
  const deps = await getDeps();
  const found = await getAction(deps, admin, id).catch(() => null);
  if (!found) notFound();
  const { action } = found;
  const { versions } = await listActionVersions(deps, admin, id);
  const canWrite = canPerform(admin.role, "actions:write");
  // Without a choice, compare the deployed version with the draft.
  const chosen = Number(compare ?? action.deployed_version?.number);
  const diff =
    Number.isInteger(chosen) && versions.some((v) => v.number === chosen)
      ? await diffActionVersion(deps, admin, id, chosen)
      : null;
  const when = (iso: string) => new Date(iso).toISOString().replace("T", " ").slice(0, 19) + " UTC";

  return (
    <section className="stack">
      <p>
        <Link href={`/admin/actions/${id}`}>← Back to the editor</Link>
      </p>
      <h1>Version history: {action.name}</h1>
      <table>
        <caption>Every deployed version kept, newest first. The deployed one is what logins run.</caption>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Dependencies</th>
            <th scope="col">Deployed by</th>
            <th scope="col">Deployed at</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {versions.map((v) => (
            <tr key={v.number} data-testid="version-row" aria-current={v.deployed ? "true" : undefined}>
              <td>
                {v.number}
                {v.deployed && <strong> (deployed)</strong>}
              </td>
              <td>{v.dependencies.map((d) => `${d.name}@${d.version}`).join(", ") || "none"}</td>
              <td>{v.created_by ?? "unknown (import)"}</td>
              <td>
                <time dateTime={v.created_at}>{when(v.created_at)}</time>
              </td>
              <td>
                <div className="toolbar center">
                  <Link
                    href={`/admin/actions/${id}/history?compare=${v.number}`}
                    aria-current={diff?.number === v.number ? "true" : undefined}
                  >
                    Compare version {v.number} with the draft
                  </Link>
                  {!v.deployed && canWrite && (
                    <ActionRollbackButton actionId={id} actionName={action.name} number={v.number} />
                  )}
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      {versions.length === 0 && (
        <p className="empty">This action was never deployed: there are no versions yet.</p>
      )}
      {diff && (
        <section aria-labelledby="diff-heading" data-testid="version-diff">
          <h2 id="diff-heading">Changes from version {diff.number} to the draft</h2>
          <p>
            {plural(diff.removed, "line")} removed, {plural(diff.added, "line")} added.
            {JSON.stringify(diff.old_dependencies) !== JSON.stringify(diff.current_dependencies) &&
              " The dependencies changed."}
            {diff.hunks.length === 0 && " The code is the same."}
          </p>
          {diff.hunks.map((h) => (
            <table key={h.header} className="diff">
              <caption>{h.header}</caption>
              <thead>
                <tr>
                  <th scope="col">Version {diff.number}</th>
                  <th scope="col">Draft</th>
                  <th scope="col">Change</th>
                  <th scope="col">Line</th>
                </tr>
              </thead>
              <tbody>
                {h.lines.map((l, i) => {
                  const s = LINE_STYLE[l.kind];
                  return (
                    <tr key={i} data-kind={l.kind}>
                      <td>{l.old_line ?? ""}</td>
                      <td>{l.new_line ?? ""}</td>
                      <td aria-hidden="true">{s.sign}</td>
                      <td className="pre-wrap">
                        <span style={srOnly}>{s.said}: </span>
                        {l.kind === "added" ? (
                          <ins>{l.text}</ins>
                        ) : l.kind === "removed" ? (
                          <del>{l.text}</del>
                        ) : (
                          l.text
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          ))}
        </section>
      )}
    </section>
  );
}
