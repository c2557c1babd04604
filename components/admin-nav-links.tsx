"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

export type TNavItem = { href: string; label: string };

/**
 * Whether `href` is the screen at `pathname` ("page") or a section it belongs to ("true"): the overview is only
 * ever itself, every other entry also covers the records below it (/admin/users/… is in Users).
 */
export function navCurrent(href: string, pathname: string): "page" | "true" | undefined {
  if (pathname === href) return "page";
  if (href !== "/admin" && pathname.startsWith(`${href}/`)) return "true";
  return undefined;
}

/** The dashboard's navigation links; the current screen (or its section) carries aria-current. */
export function AdminNavLinks({ items }: { items: TNavItem[] }) {
  const pathname = usePathname();
  return (
    <ul>
      {items.map((n) => (
        <li key={n.href}>
          <Link href={n.href} aria-current={navCurrent(n.href, pathname)}>
            {n.label}
          </Link>
        </li>
      ))}
    </ul>
  );
}
