import type { TDeps } from "../../config/deps.ts";
import { deleteClientGrant as deleteStored, findClientGrantById } from "../../store/client-grants.ts";
import { assertAdminAllowed } from "../admin-access.ts";
import { AdminError } from "../admin-error.ts";
import { recordAdminChange } from "../audit.ts";
import type { TAdmin } from "../session.ts";
import { clientGrantJson } from "./client-grant-json.ts";

/** Revoke a client grant: the application gets no more tokens for that API (tokens already issued stay valid). */
export async function deleteClientGrant(deps: TDeps, admin: TAdmin, id: string): Promise<void> {
  assertAdminAllowed(admin, "config:write");
  const grant = await findClientGrantById(deps.db, id);
  if (!grant) throw AdminError.notFound("No such client grant.");
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    if (!(await deleteStored(tx, id))) throw AdminError.notFound("No such client grant.");
    await recordAdminChange(tx, now, admin, {
      action: "delete client grant",
      target: id,
      before: clientGrantJson(grant),
    });
  });
}
