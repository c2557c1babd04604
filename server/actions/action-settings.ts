import { z } from "zod";
import { SANDBOX_MODULES } from "../../rules-runtime/modules.generated.ts";

/**
 * One validation of an action for every way one is written: the dashboard, the tenant importer and (later) the
 * Management API. Field names and limits are Auth0's (docs: customize/actions/limitations).
 */

/** Auth0: up to 100 kB of code per action. */
export const MAX_ACTION_CODE_BYTES = 100 * 1024;
/** Auth0: up to 30 secrets per action. */
export const MAX_ACTION_SECRETS = 30;
/** Auth0 keeps up to 50 versions of an action. */
export const MAX_ACTION_VERSIONS = 50;
/** The only trigger whose flow exists here. */
export const POST_LOGIN = "post-login";
export const ACTION_RUNTIMES = ["node12", "node16", "node18", "node18-actions", "node22"] as const;
export const DEFAULT_ACTION_RUNTIME = "node22";

/**
 * Action names become directory names in tenant-as-code (`actions/<name>/code.js`), so no path separators, no
 * control characters, no leading or trailing space, and never `.` or `..`.
 */
export const ZActionName = z
  .string()
  .min(1, "must not be empty")
  .max(255)
  .refine(
    (n) =>
      ![...n].some((ch) => ch === "/" || ch === "\\" || ch.charCodeAt(0) < 32 || ch.charCodeAt(0) === 127),
    "must not contain / or \\ or control characters",
  )
  .refine((n) => n.trim() === n, "must not start or end with a space")
  .refine((n) => n !== "." && n !== "..", "must not be . or ..");

export const ZActionCode = z
  .string()
  .refine(
    (c) => Buffer.byteLength(c, "utf8") <= MAX_ACTION_CODE_BYTES,
    `must be at most ${MAX_ACTION_CODE_BYTES} bytes`,
  );

/** The modules an action may require (the ones the server ships), as "name@version" for messages. */
export function availableModules(): string[] {
  return Object.entries(SANDBOX_MODULES).map(([name, m]) => `${name}@${m.version}`);
}

/**
 * Declared dependencies: each must be a module the server ships (it runs the shipped version, whatever version
 * is declared). Anything else is refused with the list of what is available.
 */
export const ZActionDependencies = z
  .array(
    z
      .object({
        name: z.string().min(1).max(214),
        version: z.string().max(64).default("latest"),
      })
      .strict(),
  )
  .max(100)
  .superRefine((deps, ctx) => {
    for (const [i, d] of deps.entries()) {
      if (!Object.hasOwn(SANDBOX_MODULES, d.name))
        ctx.addIssue({
          code: "custom",
          path: [i, "name"],
          message: `"${d.name}" is not available to actions; available modules: ${availableModules().join(", ")}`,
        });
    }
  });

export const ZActionSecretName = z
  .string()
  .min(1)
  .max(255)
  .regex(
    /^[A-Za-z_][A-Za-z0-9_-]*$/,
    "must be letters, digits, underscores and hyphens, not starting with a digit",
  );
/** A secret value (the only place it is ever accepted in plain text). */
export const ZActionSecretValue = z.string().max(10 * 1024);

export const ZActionSecrets = z
  .array(z.object({ name: ZActionSecretName, value: ZActionSecretValue }).strict())
  .max(MAX_ACTION_SECRETS, `an action may have at most ${MAX_ACTION_SECRETS} secrets`)
  .refine((s) => new Set(s.map((x) => x.name)).size === s.length, "secret names must be unique");

export const ZActionRuntime = z.enum(ACTION_RUNTIMES);

/** Supported triggers: post-login only; anything else is refused, since it would never run. */
export const ZSupportedTriggers = z
  .array(
    z
      .object({
        id: z.literal(POST_LOGIN, { error: `only the ${POST_LOGIN} trigger is supported` }),
        version: z.string().max(16).default("v3"),
      })
      .strip(),
  )
  .min(1)
  .max(1);

export const DEFAULT_SUPPORTED_TRIGGERS = [{ id: POST_LOGIN, version: "v3" }];
