"use client";

import { useState } from "react";
import { useRouter } from "next/navigation";
import { adminFetch } from "./admin-fetch";
import { ConfirmButton } from "./confirm-button";

/** Roll an action back to version `number` after confirmation: it is deployed again as a new version. */
export function ActionRollbackButton({
  actionId,
  actionName,
  number,
}: {
  actionId: string;
  actionName: string;
  number: number;
}) {
  const router = useRouter();
  const [done, setDone] = useState<string | null>(null);
  return (
    <>
      <ConfirmButton
        label="Roll back"
        buttonLabel={`Roll back to version ${number}`}
        title={`Roll "${actionName}" back to version ${number}?`}
        confirmLabel={`Roll back to version ${number}`}
        onConfirm={async () => {
          const res = await adminFetch<{ action: { deployed_version: { number: number } | null } }>(
            `/api/admin/actions/${actionId}/versions/${number}/rollback`,
            { method: "POST" },
          );
          setDone(
            `Rolled back: version ${number} is deployed again as version ${res.action.deployed_version?.number}.`,
          );
          router.refresh();
        }}
      >
        <p>
          The code and dependencies of version {number} are deployed at once as a new version, and the draft
          is set to them (unsaved or undeployed draft changes are replaced). Logins run it within a second.
        </p>
      </ConfirmButton>
      {done && (
        <span role="status" className="inline-status">
          {done}
        </span>
      )}
    </>
  );
}
