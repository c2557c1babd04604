"use client";

import { signOut } from "next-auth/react";
import { Button } from "./button";

/** Ends the dashboard session. */
export function SignOutButton() {
  return (
    <Button type="button" className="secondary" onClick={() => void signOut({ callbackUrl: "/login" })}>
      Sign out
    </Button>
  );
}
