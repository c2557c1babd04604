"use client";

import { useRouter } from "next/navigation";
import { adminFetch } from "./admin-fetch";
import { ConfirmButton } from "./confirm-button";

/** Delete a user after a confirmation; the user's sessions, MFA and blocks go with it. Back to the list after. */
export function DeleteUserButton({ userId, name }: { userId: string; name: string }) {
  const router = useRouter();
  return (
    <ConfirmButton
      label="Delete user"
      tone="danger"
      title={`Delete ${name}?`}
      confirmLabel="Delete user"
      onConfirm={async () => {
        await adminFetch(`/api/admin/users/${encodeURIComponent(userId)}`, { method: "DELETE" });
        router.push("/admin/users");
        router.refresh();
      }}
    >
      <p>
        This removes the user, ends their sessions (refresh tokens), removes their MFA authenticators and
        lifts brute-force blocks on their email and username. It cannot be undone; the audit log keeps the
        history. The email can be used for a new user afterwards.
      </p>
    </ConfirmButton>
  );
}
