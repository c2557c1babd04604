import Link from "next/link";
import { notFound } from "next/navigation";
import { getDeps } from "@/server/config/deps";
import { getUserDetail } from "@/server/admin/users";
import { getPageAdmin } from "@/server/admin/session";
import { canPerform } from "@/server/admin/roles";
import { Forbidden } from "@/components/forbidden";
import { BlockUserButton } from "@/components/block-user-button";

export default async function UserPage({ params }: { params: Promise<{ userId: string }> }) {
  const admin = await getPageAdmin("users:read");
  if (!admin) return <Forbidden />;
  const userId = decodeURIComponent((await params).userId);
  const detail = await getUserDetail(await getDeps(), userId);
  if (!detail) notFound();
  const { profile, logins } = detail;
  return (
    <section>
      <h1>{profile.email ?? profile.username}</h1>
      <p>
        <code>{profile.userId}</code> · {profile.blocked ? <strong>blocked by an admin</strong> : "active"} ·{" "}
        {profile.loginsCount} logins
      </p>
      {canPerform(admin.role, "users:block") && (
        <BlockUserButton userId={profile.userId} blocked={profile.blocked} />
      )}
      <h2>Profile</h2>
      <pre style={{ background: "#f6f6f6", padding: "1rem", overflowX: "auto" }}>
        {JSON.stringify(profile, null, 2)}
      </pre>
      <h2>Recent logins</h2>
      {logins.length === 0 ? (
        <p>No login events recorded.</p>
      ) : (
        <ul>
          {logins.map((l) => (
            <li key={l.log_id}>
              <Link href={`/admin/logs/${l.log_id}`}>
                {l.date} · {l.type} · {l.description || "ok"} · {l.ip ?? "—"}
              </Link>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
