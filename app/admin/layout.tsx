import type { ReactNode } from "react";
import Link from "next/link";
import { redirect } from "next/navigation";
import { getCurrentAdmin } from "@/server/admin/session";
import { canPerform } from "@/server/admin/roles";
import { AdminNavLinks } from "@/components/admin-nav-links";
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
  ]
    .filter((n) => n.show)
    .map(({ href, label }) => ({ href, label }));
  return (
    <>
      {/* The first stop for keyboard users: past the navigation to the screen itself. */}
      <a href="#content" className="skip-link">
        Skip to content
      </a>
      <div className="admin-shell">
        <nav aria-label="Dashboard" className="admin-nav">
          <p className="admin-brand">Portcullis</p>
          <AdminNavLinks items={nav} />
          <p className="admin-who">
            {admin.email}
            <br />
            role: {admin.role}
          </p>
          <SignOutButton />
        </nav>
        <main id="content" tabIndex={-1} className="admin-main">
          {admin.mustEnrollTotp && (
            <p role="alert" className="banner-alert">
              This tenant requires two-step sign-in for admins.{" "}
              <Link href="/admin/account">Set up your authenticator app</Link> to use the dashboard.
            </p>
          )}
          <UntilHydrated>{children}</UntilHydrated>
        </main>
      </div>
    </>
  );
}
