import type { z } from "zod";
import type { TDeps } from "../../config/deps.ts";
import { formatZodIssues } from "../../platform/zod-issues.ts";
import { readStoredPolicies, writeStoredPolicy } from "../../store/attack-protection.ts";
import { releaseBlocksBelow } from "../../store/login-failures.ts";
import {
  ZBreachedPasswordAdminPatch,
  ZBruteForcePatch,
  ZSuspiciousIpPatch,
  mergeBreachedPassword,
  mergeSuspiciousIp,
  resolvePolicies,
} from "../../protection/policies.ts";
import { AdminError } from "../admin-error.ts";
import { recordAdminChange, type TActor } from "../audit.ts";
import { assertAdminAllowed } from "../admin-access.ts";
import { logReleasedBlocks } from "../../protection/release-blocks.ts";
import { POLICY_COLUMNS, type TPolicyName } from "./policy-names.ts";
import { getAttackProtection } from "./get-attack-protection.ts";

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  if (!r.success) {
    throw AdminError.invalid(`Payload validation error: ${formatZodIssues(r.error)}`, {
      code: "invalid_body",
    });
  }
  return r.data;
}

/**
 * Change one attack-protection policy with a partial object (PATCH semantics, Management API shape). Raising the
 * brute-force threshold above a blocked counter ends that block, logged as `ublkdu` in the same transaction.
 * The change is in force in this process at once and in every other within the config cache's second. Audited
 * (`sapi`, the acting admin, the policy before and after) in the same transaction.
 */
export async function updateAttackProtection(
  deps: TDeps,
  admin: TActor,
  name: TPolicyName,
  body: unknown,
): Promise<Record<string, unknown>> {
  assertAdminAllowed(admin, "config:write");
  const now = deps.clock.now();
  await deps.db.transaction(async (q) => {
    const current = resolvePolicies(await readStoredPolicies(q));
    let before: object;
    let after: object;
    if (name === "brute-force-protection") {
      const { allowed: _a, ...base } = current.bruteForce;
      const next = { ...base, ...parse(ZBruteForcePatch.strict(), body) };
      await writeStoredPolicy(q, POLICY_COLUMNS[name], next, now);
      await logReleasedBlocks(q, await releaseBlocksBelow(q, next.max_attempts), "threshold_raised", now);
      [before, after] = [base, next];
    } else if (name === "suspicious-ip-throttling") {
      const { allowed: _a, ...base } = current.suspiciousIp;
      const next = mergeSuspiciousIp(base, parse(ZSuspiciousIpPatch.strict(), body));
      await writeStoredPolicy(q, POLICY_COLUMNS[name], next, now);
      [before, after] = [base, next];
    } else {
      const next = mergeBreachedPassword(current.breachedPassword, parse(ZBreachedPasswordAdminPatch, body));
      await writeStoredPolicy(q, POLICY_COLUMNS[name], next, now);
      [before, after] = [current.breachedPassword, next];
    }
    await recordAdminChange(q, now, admin, {
      action: "update attack protection",
      target: name,
      before,
      after,
    });
  });
  deps.config.clear();
  return getAttackProtection(deps, admin, name);
}
