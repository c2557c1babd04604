import type { TDeps } from "../../config/deps.ts";
import { getUserBlocks } from "../../admin/protection/get-user-blocks.ts";
import { unblockUser } from "../../admin/protection/unblock-user.ts";
import type { TBlockTarget } from "../../admin/protection/find-block-rows.ts";
import type { TManagementCaller } from "../authenticate-management.ts";
import { ManagementError } from "../management-error.ts";
import { readBoolean, readText } from "../query-params.ts";
import { findManagedUser } from "../users/users.ts";

/** The target of `/user-blocks?identifier=` (required: Auth0's 400 without it). */
function identifierTarget(url: URL): TBlockTarget {
  const identifier = readText(url, "identifier", 512);
  if (!identifier)
    throw ManagementError.invalidQuery("Query validation error: 'Missing required property: identifier'.");
  return { identifier };
}

/**
 * GET /api/v2/user-blocks?identifier=… and /user-blocks/{id}: the brute-force blocks in force, Auth0's
 * `{blocked_for: [{identifier, ip, connection}]}` (the dashboard's view of them).
 */
export async function listUserBlocks(deps: TDeps, caller: TManagementCaller, url: URL, userId?: string) {
  // Auth0's switch to answer nothing while brute-force protection is off; ours always does (the use case's rule).
  readBoolean(url, "consider_brute_force_enablement", false);
  if (userId === undefined) return getUserBlocks(deps, caller, identifierTarget(url));
  await findManagedUser(deps, userId);
  return getUserBlocks(deps, caller, { userId });
}

/**
 * DELETE /api/v2/user-blocks?identifier=… and /user-blocks/{id}: lift those blocks as the dashboard does (each
 * logged `ublkdu`, the action `sapi` with the client as actor). An admin `blocked: true` stays. 204.
 */
export async function deleteUserBlocks(deps: TDeps, caller: TManagementCaller, url: URL, userId?: string) {
  if (userId === undefined) {
    await unblockUser(deps, caller, identifierTarget(url));
    return;
  }
  await findManagedUser(deps, userId);
  await unblockUser(deps, caller, { userId });
}
