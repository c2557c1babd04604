import Link from "next/link";
import { notFound } from "next/navigation";
import { getDeps } from "@/server/config/deps";
import { getUserDetail } from "@/server/admin/users";
import { getPageAdmin } from "@/server/admin/session";
import { canPerform } from "@/server/admin/roles";
import { Forbidden } from "@/components/forbidden";
import { BlockUserButton } from "@/components/block-user-button";
import { ResetMfaButton } from "@/components/reset-mfa-button";
import { EditUserForm } from "@/components/edit-user-form";
import { SetPasswordForm } from "@/components/set-password-form";
import { DeleteUserButton } from "@/components/delete-user-button";
import { PasswordResetLinkButton } from "@/components/password-reset-link-button";
import { getUserAuthenticators } from "@/server/admin/mfa";
import { explainLockout } from "@/server/admin/lockout/explain-lockout";
import { LockoutExplainer } from "@/components/lockout-explainer";

export default async function UserPage({ params }: { params: Promise<{ userId: string }> }) {
  const admin = await getPageAdmin("users:read");
  if (!admin) return <Forbidden />;
  const userId = decodeURIComponent((await params).userId);
  const deps = await getDeps();
  const detail = await getUserDetail(deps, admin, userId);
  if (!detail) notFound();
  const authenticators = await getUserAuthenticators(deps, admin, userId);
  const { profile, logins, editable } = detail;
  const canWrite = canPerform(admin.role, "users:write");
  return (
    <section>
      <p>
        <Link href="/admin/users">← Users</Link>
      </p>
      <h1>{profile.email ?? profile.username}</h1>
      <p>
        <code>{profile.userId}</code> · {detail.connection ?? "unknown connection"} ·{" "}
        {profile.blocked ? <strong>blocked by an admin</strong> : "active"} · {profile.loginsCount} logins
      </p>
      {canPerform(admin.role, "users:block") && (
        <BlockUserButton userId={profile.userId} blocked={profile.blocked} />
      )}
      {canPerform(admin.role, "logs:read") && (
        <LockoutExplainer
          explanation={await explainLockout(deps, admin, userId)}
          now={deps.clock.now().toISOString()}
          userId={profile.userId}
          allowed={(
            ["protection:unblock", "users:block", "users:write", "mfa:reset", "config:write"] as const
          ).filter((a) => canPerform(admin.role, a))}
        />
      )}
      <h2>Profile and metadata</h2>
      {canWrite ? (
        <EditUserForm userId={profile.userId} profile={editable} />
      ) : (
        <pre className="json-view">{JSON.stringify(editable, null, 2)}</pre>
      )}
      {canWrite && (
        <>
          <h2>Password</h2>
          {!detail.hasPassword && <p>This user has no password yet.</p>}
          <SetPasswordForm userId={profile.userId} />
          <PasswordResetLinkButton userId={profile.userId} />
        </>
      )}
      <section aria-labelledby="user-mfa-heading">
        <h2 id="user-mfa-heading">MFA authenticators</h2>
        {authenticators.length === 0 ? (
          <p className="empty">No MFA authenticators enrolled.</p>
        ) : (
          <ul aria-label="MFA authenticators">
            {authenticators.map((a) => (
              <li key={a.id}>
                <code>{a.id}</code> · {a.type} ·{" "}
                {a.active ? `active since ${a.confirmed_at}` : "not confirmed"}
              </li>
            ))}
          </ul>
        )}
        {authenticators.length > 0 && canPerform(admin.role, "mfa:reset") && (
          <ResetMfaButton userId={profile.userId} />
        )}
      </section>
      <h2>Recent logins</h2>
      {logins.length === 0 ? (
        <p className="empty">No login events recorded.</p>
      ) : (
        <ul className="wrap-anywhere">
          {logins.map((l) => (
            <li key={l.log_id}>
              <Link href={`/admin/logs/${l.log_id}`}>
                {l.date} · {l.type} · {l.description || "ok"} · {l.ip ?? "—"}
              </Link>
            </li>
          ))}
        </ul>
      )}
      <details>
        <summary>Full record (read-only)</summary>
        <pre className="json-view">{JSON.stringify(profile, null, 2)}</pre>
      </details>
      {canWrite && (
        <>
          <h2>Delete user</h2>
          <DeleteUserButton
            userId={profile.userId}
            name={profile.email ?? profile.username ?? profile.userId}
          />
        </>
      )}
    </section>
  );
}
