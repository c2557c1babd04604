import type { TDeps } from "../../config/deps.ts";
import { getAttackProtection } from "./get-attack-protection.ts";
import { listBlocks } from "./list-blocks.ts";
import { listNotifications } from "./list-notifications.ts";
import { POLICY_COLUMNS, type TPolicyName } from "./policy-names.ts";
import { assertAdminAllowed } from "../admin-access.ts";
import type { TActor } from "../audit.ts";

/** The Attack protection screen: the three policies, what is blocked now, and the latest notifications. */
export async function getProtectionView(deps: TDeps, admin: TActor) {
  assertAdminAllowed(admin, "logs:read");
  const names = Object.keys(POLICY_COLUMNS) as TPolicyName[];
  const [policies, blocks, outbox] = await Promise.all([
    Promise.all(names.map(async (name) => ({ name, policy: await getAttackProtection(deps, admin, name) }))),
    listBlocks(deps, admin),
    listNotifications(deps, admin, { take: 20 }),
  ]);
  return { policies, blocks, notifications: outbox.notifications };
}
