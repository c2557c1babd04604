import { z } from "zod";
import { compileIpList, isIpOrCidr, type TIpList } from "../platform/ip-match.ts";
import {
  DEFAULT_IPV6_PREFIX_LENGTH,
  MAX_IPV6_PREFIX_LENGTH,
  MIN_IPV6_PREFIX_LENGTH,
} from "../platform/ip-key.ts";

// Attack-protection policies in the shape of Auth0's Management API and deploy CLI (contract §5), with Auth0's
// defaults. Stored as JSON (store/attack-protection.ts), read per login through the ≤ 1 s config cache.

const ZAllowlist = z
  .array(
    z
      .string()
      .refine(isIpOrCidr, { message: "must be an IPv4/IPv6 address or CIDR range (e.g. 10.0.0.0/8)" }),
  )
  .max(100, "at most 100 entries");

/**
 * Portcullis extension: IPv6 clients are counted per network of this many leading bits (one /64 is one host or
 * one LAN, and rotating within it must not buy fresh counters). IPv4 is always counted per address.
 */
const ZIpv6PrefixLength = z
  .number()
  .int()
  .min(MIN_IPV6_PREFIX_LENGTH, `must be ${MIN_IPV6_PREFIX_LENGTH} to ${MAX_IPV6_PREFIX_LENGTH}`)
  .max(MAX_IPV6_PREFIX_LENGTH, `must be ${MIN_IPV6_PREFIX_LENGTH} to ${MAX_IPV6_PREFIX_LENGTH}`);

export const BRUTE_FORCE_SHIELDS = ["block", "user_notification"] as const;
export const SUSPICIOUS_IP_SHIELDS = ["block", "admin_notification"] as const;
export const BREACHED_PASSWORD_SHIELDS = ["block", "user_notification", "admin_notification"] as const;

export const ZBruteForceProtection = z.object({
  enabled: z.boolean(),
  shields: z.array(z.enum(BRUTE_FORCE_SHIELDS)),
  mode: z.enum(["count_per_identifier_and_ip", "count_per_identifier"]),
  allowlist: ZAllowlist,
  max_attempts: z.number().int().min(1).max(100),
  ipv6_prefix_length: ZIpv6PrefixLength,
});

const ZStage = z.object({
  max_attempts: z.number().int().min(1).max(100_000),
  /** Milliseconds between two granted attempts (the bucket's refill interval). */
  rate: z
    .number()
    .int()
    .min(1)
    .max(365 * 24 * 3600 * 1000),
});

export const ZSuspiciousIpThrottling = z.object({
  enabled: z.boolean(),
  shields: z.array(z.enum(SUSPICIOUS_IP_SHIELDS)),
  allowlist: ZAllowlist,
  ipv6_prefix_length: ZIpv6PrefixLength,
  stage: z.object({
    "pre-login": ZStage,
    /** POST /dbconnections/signup: every signup from an IP (successes too) takes one attempt. */
    "pre-user-registration": ZStage,
  }),
});

export const BREACHED_PASSWORD_STAGE_SHIELDS = ["block", "admin_notification"] as const;
export const BREACHED_PASSWORD_STAGES = ["pre-user-registration", "pre-change-password"] as const;
export type TBreachedPasswordStage = (typeof BREACHED_PASSWORD_STAGES)[number];

const ZBreachedStage = z.object({ shields: z.array(z.enum(BREACHED_PASSWORD_STAGE_SHIELDS)) });

export const ZBreachedPasswordDetection = z.object({
  enabled: z.boolean(),
  /** The login's shields (and, for a stage that is not set, see breachedShieldsAt). */
  shields: z.array(z.enum(BREACHED_PASSWORD_SHIELDS)),
  admin_notification_frequency: z.array(z.enum(["immediately", "daily", "weekly", "monthly"])),
  method: z.enum(["standard", "enhanced"]),
  /**
   * Auth0's per-stage shields: signup (`pre-user-registration`) and the hosted password reset
   * (`pre-change-password`). Optional, and so is each stage: see breachedShieldsAt for a stage left unset.
   */
  stage: z
    .object({
      "pre-user-registration": ZBreachedStage.optional(),
      "pre-change-password": ZBreachedStage.optional(),
    })
    .optional(),
});

export type TBruteForceProtection = z.infer<typeof ZBruteForceProtection>;
export type TSuspiciousIpThrottling = z.infer<typeof ZSuspiciousIpThrottling>;
export type TBreachedPasswordDetection = z.infer<typeof ZBreachedPasswordDetection>;

/** Auth0's defaults: brute force and IP throttling on with blocking; breached passwords off (a paid add-on there). */
export const DEFAULT_BRUTE_FORCE: TBruteForceProtection = {
  enabled: true,
  shields: ["block", "user_notification"],
  mode: "count_per_identifier_and_ip",
  allowlist: [],
  max_attempts: 10,
  ipv6_prefix_length: DEFAULT_IPV6_PREFIX_LENGTH,
};

export const DEFAULT_SUSPICIOUS_IP: TSuspiciousIpThrottling = {
  enabled: true,
  shields: ["block", "admin_notification"],
  allowlist: [],
  ipv6_prefix_length: DEFAULT_IPV6_PREFIX_LENGTH,
  stage: {
    // 100 failed logins, one more every 14.4 min (100 a day).
    "pre-login": { max_attempts: 100, rate: 864_000 },
    // 50 signups, one more every 1.2 s (50 a minute), Auth0's signup limit.
    "pre-user-registration": { max_attempts: 50, rate: 1200 },
  },
};

export const DEFAULT_BREACHED_PASSWORD: TBreachedPasswordDetection = {
  enabled: false,
  shields: [],
  admin_notification_frequency: ["immediately"],
  method: "standard",
};

/**
 * Partial updates (PATCH bodies, tenant YAML): every field optional, merged over the stored policy. Unknown keys
 * are stripped here; the admin API refuses them (`.strict()`), the tenant import reports them as unsupported.
 */
export const ZBruteForcePatch = ZBruteForceProtection.partial();
export const ZSuspiciousIpPatch = ZSuspiciousIpThrottling.extend({
  stage: z.object({
    "pre-login": ZStage.partial().optional(),
    "pre-user-registration": ZStage.partial().optional(),
  }),
}).partial();
export const ZBreachedPasswordPatch = ZBreachedPasswordDetection.partial();
/**
 * The admin API's breached-password patch: unknown keys are refused inside `stage` too (a misspelt stage name
 * would otherwise be dropped without a word, and the stage left to its fallback).
 */
export const ZBreachedPasswordAdminPatch = ZBreachedPasswordPatch.extend({
  stage: z
    .strictObject({
      "pre-user-registration": ZBreachedStage.strict().optional(),
      "pre-change-password": ZBreachedStage.strict().optional(),
    })
    .optional(),
}).strict();

export type TBruteForcePatch = z.infer<typeof ZBruteForcePatch>;
export type TSuspiciousIpPatch = z.infer<typeof ZSuspiciousIpPatch>;
export type TBreachedPasswordPatch = z.infer<typeof ZBreachedPasswordPatch>;

/** Apply a validated patch to a policy. */
export function mergeSuspiciousIp(
  base: TSuspiciousIpThrottling,
  p: TSuspiciousIpPatch,
): TSuspiciousIpThrottling {
  const { stage, ...rest } = p;
  return {
    ...base,
    ...rest,
    stage: {
      "pre-login": { ...base.stage["pre-login"], ...stage?.["pre-login"] },
      "pre-user-registration": {
        ...base.stage["pre-user-registration"],
        ...stage?.["pre-user-registration"],
      },
    },
  };
}

/** Apply a validated patch to a policy: a stage the patch names replaces that stage, the other is kept. */
export function mergeBreachedPassword(
  base: TBreachedPasswordDetection,
  p: TBreachedPasswordPatch,
): TBreachedPasswordDetection {
  const { stage, ...rest } = p;
  const next: TBreachedPasswordDetection = { ...base, ...rest };
  if (stage) next.stage = { ...base.stage, ...stage };
  return next;
}

/**
 * The shields breached-password detection applies at signup or at the hosted password reset (none when detection
 * is off). A stage that was never set keeps what Portcullis did before per-stage shields existed: block when the
 * login's shields block, no admin message. So a tenant configured before `stage` behaves the same after the
 * upgrade, and an admin opts in to anything else by setting the stage.
 */
export function breachedShieldsAt(
  policy: TBreachedPasswordDetection,
  stage: TBreachedPasswordStage,
): ReadonlyArray<(typeof BREACHED_PASSWORD_STAGE_SHIELDS)[number]> {
  if (!policy.enabled) return [];
  const set = policy.stage?.[stage];
  if (set) return set.shields;
  return policy.shields.includes("block") ? ["block"] : [];
}

/** The three policies as stored, plus compiled allowlists for the login path. */
export type TAttackProtectionPolicies = {
  bruteForce: TBruteForceProtection & { allowed: TIpList };
  suspiciousIp: TSuspiciousIpThrottling & { allowed: TIpList };
  breachedPassword: TBreachedPasswordDetection;
};

/**
 * Read stored JSON leniently: a field that is missing or no longer valid (for example after a schema change)
 * falls back to its default rather than switching protection off.
 */
function readPolicy<T extends Record<string, unknown>>(
  schema: z.ZodType<T> & { shape: Record<string, unknown> },
  defaults: T,
  stored: unknown,
): T {
  const out: Record<string, unknown> = { ...defaults };
  if (stored && typeof stored === "object" && !Array.isArray(stored)) {
    for (const [k, v] of Object.entries(stored)) {
      // Optional fields (breached-password `stage`) have no default but are read all the same.
      if (!Object.hasOwn(schema.shape, k)) continue;
      const candidate = { ...out, [k]: v };
      if (schema.safeParse(candidate).success) out[k] = v;
    }
  }
  return out as T;
}

/** Build the effective policies from the stored JSON objects. */
export function resolvePolicies(stored: {
  bruteForceProtection: unknown;
  suspiciousIpThrottling: unknown;
  breachedPasswordDetection: unknown;
}): TAttackProtectionPolicies {
  const bruteForce = readPolicy(ZBruteForceProtection, DEFAULT_BRUTE_FORCE, stored.bruteForceProtection);
  const suspiciousIp = readPolicy(
    ZSuspiciousIpThrottling,
    DEFAULT_SUSPICIOUS_IP,
    stored.suspiciousIpThrottling,
  );
  const breachedPassword = readPolicy(
    ZBreachedPasswordDetection,
    DEFAULT_BREACHED_PASSWORD,
    stored.breachedPasswordDetection,
  );
  return {
    bruteForce: { ...bruteForce, allowed: compileIpList(bruteForce.allowlist) },
    suspiciousIp: { ...suspiciousIp, allowed: compileIpList(suspiciousIp.allowlist) },
    breachedPassword,
  };
}
