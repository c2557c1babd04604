import { z } from "zod";

/**
 * One validation of a database connection's fields for the tenant importer, the dashboard and the Management API
 * (Auth0's names and limits).
 */
export const CONNECTION_FIELDS = {
  /** Auth0 connection names (the realm clients send): letters, digits and single inner hyphens. */
  name: z
    .string()
    .max(128)
    .regex(
      /^[A-Za-z0-9](?:-?[A-Za-z0-9])*$/,
      "must be letters, digits and single hyphens, not starting or ending with one",
    ),
  /** Clients that may log in through the connection, by name (the importer also takes client ids). */
  enabled_clients: z.array(z.string().min(1)).max(100),
};

/** Auth0's password strength levels (`options.passwordPolicy`); absent or null means "none". */
export const PASSWORD_POLICY_LEVELS = ["none", "low", "fair", "good", "excellent"] as const;
export type TPasswordPolicyLevel = (typeof PASSWORD_POLICY_LEVELS)[number];

/**
 * A database connection's password options, under the names and limits Auth0 stores in the connection's `options`
 * (Management API `ConnectionOptions`): strength level, minimum length (overrides the level's), history, personal
 * data, dictionary; `disable_signup`; and `send_verification_email`. Every key is optional: an absent option is off,
 * except `send_verification_email`, which Auth0 (and signup.ts) treat as on unless it is `false`.
 */
export const ZPasswordOptions = z
  .object({
    passwordPolicy: z.enum(PASSWORD_POLICY_LEVELS).nullable(),
    password_complexity_options: z.strictObject({ min_length: z.number().int().min(1).max(128).optional() }),
    password_history: z.strictObject({
      enable: z.boolean(),
      size: z.number().int().min(0).max(24).optional(),
    }),
    password_no_personal_info: z.strictObject({ enable: z.boolean() }),
    password_dictionary: z.strictObject({
      enable: z.boolean(),
      dictionary: z.array(z.string().min(1).max(128)).max(200).optional(),
    }),
    disable_signup: z.boolean(),
    send_verification_email: z.boolean(),
  })
  .partial();
export type TPasswordOptions = z.infer<typeof ZPasswordOptions>;

/** The keys of ZPasswordOptions, for code that copies them in or out of a connection's options. */
export const PASSWORD_OPTION_KEYS = Object.keys(ZPasswordOptions.shape) as (keyof TPasswordOptions)[];
