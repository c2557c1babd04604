import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { TDeps } from "../config/deps.ts";
import {
  findResourceServerByIdOrIdentifier,
  updateResourceServer,
  type TResourceServerRecord,
} from "../store/resource-servers.ts";
import { recordAdminChange } from "./audit.ts";
import { isUniqueViolation } from "../store/raw-sql.ts";
import { parseAdminInput } from "./parse-admin-input.ts";
import { AdminError } from "./admin-error.ts";
import { assertAdminAllowed } from "./admin-access.ts";
import type { TAdmin } from "./session.ts";
import { API_FIELDS, MAX_API_SCOPES, ZScope } from "../auth/api-settings.ts";
import { isManagementApi } from "../management/management-api.ts";

/** PATCH body of an API. The identifier (the audience) is fixed at creation; sending a different one is refused. */
export const ZApiPatch = z
  .strictObject({
    name: API_FIELDS.name,
    identifier: z.string(),
    scopes: z
      .array(
        // A bare string is shorthand for a scope without a description.
        z.preprocess((v) => (typeof v === "string" ? { value: v } : v), ZScope.strict()),
      )
      .max(MAX_API_SCOPES),
    token_lifetime: API_FIELDS.token_lifetime,
    signing_alg: API_FIELDS.signing_alg,
    allow_offline_access: API_FIELDS.allow_offline_access,
  })
  .partial();

function editable(a: TResourceServerRecord) {
  return {
    name: a.name,
    identifier: a.identifier,
    scopes: a.scopes,
    token_lifetime: a.tokenLifetime,
    signing_alg: a.signingAlg,
    allow_offline_access: a.allowOfflineAccess,
  };
}

/**
 * Edit an API (PATCH semantics; by internal id or identifier). Switching to HS256 issues a signing secret,
 * returned here once; switching to RS256 discards it. Audited with before and after (never the secret).
 */
export async function updateApi(
  deps: TDeps,
  admin: TAdmin,
  idOrIdentifier: string,
  body: unknown,
): Promise<{ identifier: string; signing_secret?: string }> {
  assertAdminAllowed(admin, "config:write");
  const patch = parseAdminInput(ZApiPatch, body);
  const api = await findResourceServerByIdOrIdentifier(deps.db, idOrIdentifier);
  if (!api) throw AdminError.notFound("No such API.");
  if (patch.identifier !== undefined && patch.identifier !== api.identifier) {
    const message = "The identifier cannot be changed after the API is created.";
    throw AdminError.invalid(message, { fields: { identifier: message } });
  }
  const before = editable(api);
  // The built-in Management API: only its token lifetime is a setting (Auth0's system API is the same).
  if (isManagementApi(api)) {
    const fixed = (Object.keys(patch) as (keyof typeof patch)[]).filter(
      (k) =>
        k !== "token_lifetime" &&
        JSON.stringify(patch[k]) !== JSON.stringify(before[k as keyof typeof before]),
    );
    if (fixed.length > 0) {
      const message = "The Management API is built in: only its token lifetime can be changed.";
      throw AdminError.invalid(message, { fields: Object.fromEntries(fixed.map((k) => [k, message])) });
    }
  }
  // Later duplicates of a scope value replace earlier ones (the last description wins).
  const scopes = patch.scopes ? [...new Map(patch.scopes.map((s) => [s.value, s])).values()] : before.scopes;
  const after = { ...before, ...patch, identifier: api.identifier, scopes };
  const secret =
    after.signing_alg === "HS256" && (before.signing_alg !== "HS256" || !api.signingSecretEnc)
      ? randomBytes(48).toString("base64url")
      : undefined;
  const now = deps.clock.now();
  try {
    await deps.db.transaction(async (tx) => {
      await updateResourceServer(
        tx,
        api.id,
        {
          name: after.name,
          scopes: after.scopes,
          tokenLifetime: after.token_lifetime,
          signingAlg: after.signing_alg,
          allowOfflineAccess: after.allow_offline_access,
          ...(secret ? { signingSecretEnc: deps.box.seal("api-signing-secret", secret) } : {}),
          ...(after.signing_alg === "RS256" ? { signingSecretEnc: null } : {}),
        },
        now,
      );
      await recordAdminChange(tx, now, admin, {
        action: "update api",
        target: api.identifier,
        before,
        after: { ...after, ...(secret ? { signing_secret_issued: true } : {}) },
      });
    });
  } catch (err) {
    if (isUniqueViolation(err)) {
      const message = `An API named "${after.name}" already exists.`;
      throw AdminError.conflict(message, { fields: { name: message } });
    }
    throw err;
  }
  deps.config.clear();
  return { identifier: api.identifier, ...(secret ? { signing_secret: secret } : {}) };
}
