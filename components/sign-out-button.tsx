"use client";

import { signOut } from "next-auth/react";

/** Ends the dashboard session. */
export function SignOutButton() {
  return (
    <button type="button" onClick={() => void signOut({ callbackUrl: "/login" })}>
      Sign out
    </button>
  );
}
