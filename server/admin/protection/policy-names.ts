import type { TPolicyColumn } from "../../store/attack-protection.ts";
import { AdminError } from "../admin-error.ts";

/** Management API path names of the three policies and their storage columns. */
export const POLICY_COLUMNS = {
  "brute-force-protection": "bruteForceProtection",
  "suspicious-ip-throttling": "suspiciousIpThrottling",
  "breached-password-detection": "breachedPasswordDetection",
} as const satisfies Record<string, TPolicyColumn>;

export type TPolicyName = keyof typeof POLICY_COLUMNS;

/** Check a policy name from a URL. */
export function parsePolicyName(name: string): TPolicyName {
  if (!Object.hasOwn(POLICY_COLUMNS, name))
    throw AdminError.notFound(`Unknown attack-protection policy: ${name}`);
  return name as TPolicyName;
}
