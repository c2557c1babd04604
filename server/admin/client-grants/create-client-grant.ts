import { z } from "zod";
import type { TDeps } from "../../config/deps.ts";
import { findClientByClientId } from "../../store/clients.ts";
import { findResourceServer } from "../../store/resource-servers.ts";
import { findClientGrant, findClientGrantById, insertClientGrant } from "../../store/client-grants.ts";
import { isUniqueViolation } from "../../store/raw-sql.ts";
import { CLIENT_GRANT_FIELDS, newClientGrantId, undefinedScopes } from "../../oauth/client-grant-settings.ts";
import { assertAdminAllowed } from "../admin-access.ts";
import { AdminError } from "../admin-error.ts";
import { recordAdminChange } from "../audit.ts";
import { parseAdminInput } from "../parse-admin-input.ts";
import type { TAdmin } from "../session.ts";
import { clientGrantJson, type TClientGrantJson } from "./client-grant-json.ts";
import { assertNoEscalation } from "./assert-no-escalation.ts";

export const ZClientGrantCreate = z.strictObject({
  client_id: z.string().min(1, "must name an application"),
  audience: CLIENT_GRANT_FIELDS.audience,
  scope: CLIENT_GRANT_FIELDS.scope,
});

const DUPLICATE = "This application already has a grant for this API.";

/** Let an application get client_credentials tokens for an API with the given scopes (the API's own). Audited. */
export async function createClientGrant(
  deps: TDeps,
  admin: TAdmin,
  body: unknown,
): Promise<TClientGrantJson> {
  assertAdminAllowed(admin, "config:write");
  const input = parseAdminInput(ZClientGrantCreate, body);
  const client = await findClientByClientId(deps.db, input.client_id);
  if (!client) {
    const message = `No application with client_id "${input.client_id}".`;
    throw AdminError.invalid(message, { fields: { client_id: message } });
  }
  const api = await findResourceServer(deps.db, input.audience);
  if (!api) {
    const message = `No API with identifier "${input.audience}".`;
    throw AdminError.invalid(message, { fields: { audience: message } });
  }
  const unknown = undefinedScopes(
    input.scope,
    api.scopes.map((s) => s.value),
  );
  if (unknown.length > 0) {
    const message = `The API defines no scope ${unknown.map((s) => `"${s}"`).join(", ")}.`;
    throw AdminError.invalid(message, { fields: { scope: message } });
  }
  assertNoEscalation(admin, api, input.scope);
  if (await findClientGrant(deps.db, client.id, api.identifier))
    throw AdminError.conflict(DUPLICATE, { fields: { audience: DUPLICATE } });
  const id = newClientGrantId();
  const now = deps.clock.now();
  try {
    await deps.db.transaction(async (tx) => {
      await insertClientGrant(
        tx,
        { id, clientId: client.id, audience: api.identifier, scope: input.scope },
        now,
      );
      await recordAdminChange(tx, now, admin, {
        action: "create client grant",
        target: id,
        after: { client_id: client.clientId, audience: api.identifier, scope: input.scope },
      });
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw AdminError.conflict(DUPLICATE, { fields: { audience: DUPLICATE } });
    throw err;
  }
  const created = await findClientGrantById(deps.db, id);
  if (!created) throw new Error(`client grant ${id} vanished after its creation`);
  return clientGrantJson(created);
}
