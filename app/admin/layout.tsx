import type { ReactNode } from "react";
import Link from "next/link";
import { redirect } from "next/navigation";
import { getCurrentAdmin } from "@/server/admin/session";
import { canPerform } from "@/server/admin/roles";
import { SignOutButton } from "@/components/sign-out-button";
import { UntilHydrated } from "@/components/until-hydrated";

export const dynamic = "force-dynamic";

export default async function AdminLayout({ children }: { children: ReactNode }) {
  const admin = await getCurrentAdmin();
  if (!admin) redirect("/login?callbackUrl=/admin");
  const nav = [
    { href: "/admin", label: "Overview", show: canPerform(admin.role, "logs:read") },
    { href: "/admin/applications", label: "Applications", show: canPerform(admin.role, "config:read") },
    { href: "/admin/connections", label: "Connections", show: canPerform(admin.role, "config:read") },
    { href: "/admin/apis", label: "APIs", show: canPerform(admin.role, "config:read") },
    { href: "/admin/mfa", label: "MFA", show: canPerform(admin.role, "config:read") },
    { href: "/admin/users", label: "Users", show: canPerform(admin.role, "users:read") },
    { href: "/admin/rules", label: "Rules", show: canPerform(admin.role, "rules:read") },
    { href: "/admin/actions", label: "Actions", show: canPerform(admin.role, "actions:read") },
    { href: "/admin/logs", label: "Logs", show: canPerform(admin.role, "logs:read") },
    {
      href: "/admin/attack-protection",
      label: "Attack protection",
      show: canPerform(admin.role, "logs:read"),
    },
    { href: "/admin/account", label: "Your account", show: true },
  ].filter((n) => n.show);
  return (
    <div className="admin-shell">
      <nav aria-label="Dashboard" className="admin-nav">
        <p style={{ fontWeight: 700 }}>Portcullis</p>
        <ul style={{ listStyle: "none", padding: 0, display: "grid", gap: "0.5rem" }}>
          {nav.map((n) => (
            <li key={n.href}>
              <Link href={n.href}>{n.label}</Link>
            </li>
          ))}
        </ul>
        <p style={{ fontSize: "0.85rem", color: "#555" }}>
          {admin.email}
          <br />
          role: {admin.role}
        </p>
        <SignOutButton />
      </nav>
      <main style={{ minWidth: 0 }}>
        {admin.mustEnrollTotp && (
          <p role="alert" style={{ border: "1px solid #b00020", padding: "0.75rem", borderRadius: 6 }}>
            This tenant requires two-step sign-in for admins.{" "}
            <Link href="/admin/account">Set up your authenticator app</Link> to use the dashboard.
          </p>
        )}
        <UntilHydrated>{children}</UntilHydrated>
      </main>
    </div>
  );
}
