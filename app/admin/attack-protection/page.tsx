import { getDeps } from "@/server/config/deps";
import { getProtectionView } from "@/server/admin/protection/get-protection-view";
import { getPageAdmin } from "@/server/admin/session";
import { canPerform } from "@/server/admin/roles";
import { Forbidden } from "@/components/forbidden";
import { PolicyEditor, UnblockButton } from "@/components/protection-controls";
import { getAttackView } from "@/server/admin/attack-view/get-attack-view";
import { isAttackViewRange } from "@/server/admin/attack-view/attack-view-range";
import { AttackView } from "@/components/attack-view";

export default async function AttackProtectionPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const admin = await getPageAdmin("logs:read");
  if (!admin) return <Forbidden />;
  const { range } = await searchParams;
  const deps = await getDeps();
  const [view, attack] = await Promise.all([
    getProtectionView(deps, admin),
    // An unknown ?range= shows the last hour: the page never fails on a hand-edited link.
    getAttackView(deps, admin, isAttackViewRange(range) ? range : "hour"),
  ]);
  const canWrite = canPerform(admin.role, "config:write");
  const canUnblock = canPerform(admin.role, "protection:unblock");
  return (
    <section>
      <h1>Attack protection</h1>
      <AttackView view={attack} canUnblock={canUnblock} />
      <h2>Blocked now</h2>
      {!view.blocks.enforced.brute_force && (
        <p>Brute-force protection is off or monitoring only: nothing is refused.</p>
      )}
      {view.blocks.users.length === 0 ? (
        <p data-testid="no-user-blocks">No blocked accounts.</p>
      ) : (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th>Identifier</th>
                <th>IP</th>
                <th>Connection</th>
                <th>Failures</th>
                <th>Blocked since</th>
                <th>Ends</th>
                {canUnblock && <th>Action</th>}
              </tr>
            </thead>
            <tbody>
              {view.blocks.users.map((b) => (
                <tr key={`${b.identifier}|${b.ip ?? ""}|${b.connection}`}>
                  <td>{b.identifier}</td>
                  <td>{b.ip ?? "any (account lockout)"}</td>
                  <td>{b.connection}</td>
                  <td>{b.count}</td>
                  <td>{b.since ?? "—"}</td>
                  <td>{b.expires}</td>
                  {canUnblock && (
                    <td>
                      <UnblockButton kind="identifier" value={b.identifier} />
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {view.blocks.ips.length > 0 && (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th>Throttled IP or IPv6 network</th>
                <th>Since</th>
                <th>Ends</th>
                {canUnblock && <th>Action</th>}
              </tr>
            </thead>
            <tbody>
              {view.blocks.ips.map((b) => (
                <tr key={b.ip}>
                  <td>{b.ip}</td>
                  <td>{b.since ?? "—"}</td>
                  <td>{b.expires}</td>
                  {canUnblock && (
                    <td>
                      <UnblockButton kind="ip" value={b.ip} />
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2>Policies</h2>
      <p>Auth0 Management API shape. Changes apply on every server within a second.</p>
      <div
        style={{ display: "grid", gridTemplateColumns: "repeat(auto-fit, minmax(18rem, 1fr))", gap: "1rem" }}
      >
        {view.policies.map((p) => (
          <PolicyEditor key={p.name} name={p.name} policy={p.policy} canWrite={canWrite} />
        ))}
      </div>
      <h2>Notifications</h2>
      {view.notifications.length === 0 ? (
        <p>Nothing sent yet. Without SMTP_URL, messages stay here (the outbox).</p>
      ) : (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th>When</th>
                <th>Kind</th>
                <th>To</th>
                <th>Subject</th>
                <th>Status</th>
              </tr>
            </thead>
            <tbody>
              {view.notifications.map((n) => (
                <tr key={String(n.id)}>
                  <td>{String(n.created_at)}</td>
                  <td>{String(n.kind)}</td>
                  <td>{String(n.to ?? "—")}</td>
                  <td>{String(n.subject)}</td>
                  <td>{String(n.status)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
