import Link from "next/link";
import { notFound } from "next/navigation";
import type { CSSProperties } from "react";
import { getDeps } from "@/server/config/deps";
import { getRule } from "@/server/admin/rules/list-rules";
import { listRuleVersions } from "@/server/admin/rules/rule-versions";
import { diffRuleVersion, type TDiffLine } from "@/server/admin/rules/diff-rule-version";
import { getPageAdmin } from "@/server/admin/session";
import { canPerform } from "@/server/admin/roles";
import { Forbidden } from "@/components/forbidden";
import { RuleRollbackButton } from "@/components/rule-rollback-button";

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

export default async function RuleHistoryPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ compare?: string }>;
}) {
  const admin = await getPageAdmin("rules:read");
  if (!admin) return <Forbidden />;
  const { id } = await params;
  const { compare } = await searchParams;
  const deps = await getDeps();
  const found = await getRule(deps, admin, id).catch(() => null);
  if (!found) notFound();
  const { rule } = found;
  const versions = await listRuleVersions(deps, admin, id);
  const canWrite = canPerform(admin.role, "rules:write");
  // Without a choice, compare the version before the current one.
  const chosen = Number(compare ?? versions.find((v) => !v.is_current)?.version);
  const diff =
    Number.isInteger(chosen) && chosen !== rule.version && versions.some((v) => v.version === chosen)
      ? await diffRuleVersion(deps, admin, id, chosen)
      : null;
  const when = (iso: string) => new Date(iso).toISOString().replace("T", " ").slice(0, 19) + " UTC";

  return (
    <section className="stack">
      <p>
        <Link href={`/admin/rules/${id}`}>← Back to the editor</Link>
      </p>
      <h1>Version history: {rule.name}</h1>
      <table>
        <caption>Every saved version, newest first. The current one is what logins run.</caption>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Name</th>
            <th scope="col">Saved by</th>
            <th scope="col">Saved at</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {versions.map((v) => (
            <tr key={v.version} data-testid="version-row" aria-current={v.is_current ? "true" : undefined}>
              <td>
                {v.version}
                {v.is_current && <strong> (current)</strong>}
              </td>
              <td>{v.name}</td>
              <td>{v.created_by ?? "unknown (import or earlier)"}</td>
              <td>
                <time dateTime={v.created_at}>{when(v.created_at)}</time>
              </td>
              <td>
                <div className="toolbar center">
                  {!v.is_current && (
                    <Link
                      href={`/admin/rules/${id}/history?compare=${v.version}`}
                      aria-current={diff?.version === v.version ? "true" : undefined}
                    >
                      Compare version {v.version} with the current version
                    </Link>
                  )}
                  {!v.is_current && canWrite && (
                    <RuleRollbackButton ruleId={id} ruleName={rule.name} version={v.version} />
                  )}
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      {versions.length === 1 && (
        <p className="empty">This rule has only one version: there is nothing to compare yet.</p>
      )}
      {diff && (
        <section aria-labelledby="diff-heading" data-testid="version-diff">
          <h2 id="diff-heading">
            Changes from version {diff.version} to the current version ({diff.current_version})
          </h2>
          <p>
            {plural(diff.removed, "line")} removed, {plural(diff.added, "line")} added.
            {diff.old_name !== diff.current_name &&
              ` The name changed from "${diff.old_name}" to "${diff.current_name}".`}
            {diff.hunks.length === 0 && " The scripts are the same."}
          </p>
          {diff.hunks.map((h) => (
            <table key={h.header} className="diff">
              <caption>{h.header}</caption>
              <thead>
                <tr>
                  <th scope="col">Version {diff.version}</th>
                  <th scope="col">Current</th>
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
