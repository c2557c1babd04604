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
