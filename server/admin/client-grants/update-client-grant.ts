import { z } from "zod";
import type { TDeps } from "../../config/deps.ts";
import { findResourceServer } from "../../store/resource-servers.ts";
import { findClientGrantById, updateClientGrantScope } from "../../store/client-grants.ts";
import { CLIENT_GRANT_FIELDS, undefinedScopes } from "../../oauth/client-grant-settings.ts";
import { assertAdminAllowed } from "../admin-access.ts";
import { AdminError } from "../admin-error.ts";
import { recordAdminChange } from "../audit.ts";
import { parseAdminInput } from "../parse-admin-input.ts";
import type { TAdmin } from "../session.ts";
import { clientGrantJson, type TClientGrantJson } from "./client-grant-json.ts";
import { assertNoEscalation } from "./assert-no-escalation.ts";

/** PATCH body of a client grant: only its scopes change (Auth0's PATCH /client-grants/{id}). */
export const ZClientGrantPatch = z.strictObject({ scope: CLIENT_GRANT_FIELDS.scope });

/** Replace a client grant's scopes. Audited with before and after. */
export async function updateClientGrant(
  deps: TDeps,
  admin: TAdmin,
  id: string,
  body: unknown,
): Promise<TClientGrantJson> {
  assertAdminAllowed(admin, "config:write");
  const { scope } = parseAdminInput(ZClientGrantPatch, body);
  const grant = await findClientGrantById(deps.db, id);
  if (!grant) throw AdminError.notFound("No such client grant.");
  const api = await findResourceServer(deps.db, grant.audience);
  const unknown = undefinedScopes(scope, api?.scopes.map((s) => s.value) ?? []);
  if (unknown.length > 0) {
    const message = `The API defines no scope ${unknown.map((s) => `"${s}"`).join(", ")}.`;
    throw AdminError.invalid(message, { fields: { scope: message } });
  }
  if (api) assertNoEscalation(admin, api, scope);
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    if (!(await updateClientGrantScope(tx, id, scope, now)))
      throw AdminError.notFound("No such client grant.");
    await recordAdminChange(tx, now, admin, {
      action: "update client grant",
      target: id,
      before: clientGrantJson(grant),
      after: { ...clientGrantJson(grant), scope },
    });
  });
  return { ...clientGrantJson(grant), scope };
}
