import type { TDeps } from "../../config/deps.ts";
import { readStoredPolicies } from "../../store/attack-protection.ts";
import { resolvePolicies } from "../../protection/policies.ts";
import type { TPolicyName } from "./policy-names.ts";
import { assertAdminAllowed } from "../admin-access.ts";
import type { TActor } from "../audit.ts";

/** The policy in force (stored values over Auth0's defaults), in the Management API shape. */
export async function getAttackProtection(
  deps: TDeps,
  admin: TActor,
  name: TPolicyName,
): Promise<Record<string, unknown>> {
  assertAdminAllowed(admin, "config:read");
  const p = resolvePolicies(await readStoredPolicies(deps.db));
  if (name === "brute-force-protection") {
    const { allowed: _a, ...policy } = p.bruteForce;
    return policy;
  }
  if (name === "suspicious-ip-throttling") {
    const { allowed: _a, ...policy } = p.suspiciousIp;
    return policy;
  }
  return p.breachedPassword;
}
