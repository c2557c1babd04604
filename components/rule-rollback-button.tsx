"use client";

import { useState } from "react";
import { useRouter } from "next/navigation";
import { adminFetch } from "./admin-fetch";
import { ConfirmButton } from "./confirm-button";

/** Roll a rule back to `version` after confirmation; the restored script becomes a new current version. */
export function RuleRollbackButton({
  ruleId,
  ruleName,
  version,
}: {
  ruleId: string;
  ruleName: string;
  version: number;
}) {
  const router = useRouter();
  const [done, setDone] = useState<string | null>(null);
  return (
    <>
      <ConfirmButton
        label="Roll back"
        buttonLabel={`Roll back to version ${version}`}
        title={`Roll "${ruleName}" back to version ${version}?`}
        confirmLabel={`Roll back to version ${version}`}
        onConfirm={async () => {
          const res = await adminFetch<{ rule: { version: number } }>(`/api/admin/rules/${ruleId}/rollback`, {
            method: "POST",
            body: { version },
          });
          setDone(`Rolled back: version ${version} is current again as version ${res.rule.version}.`);
          router.refresh();
        }}
      >
        <p>
          The script and name of version {version} become the current rule at once (saved as a new version, so
          nothing in the history is lost). Logins use it within a second.
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
