import ipaddr from "ipaddr.js";
import { z } from "zod";
import type { TDeps } from "../../config/deps.ts";
import { getRulesAllowedHosts, setRulesAllowedHosts } from "../../store/tenant.ts";
import { assertAdminAllowed } from "../admin-access.ts";
import { parseRulesInput } from "./parse-rules-input.ts";
import type { TRulesActor } from "./rule-json.ts";
import { recordRulesChange } from "./record-rules-change.ts";

const HOST_RE = /^(\*\.)?[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?$|^\[[0-9a-f:.]+\](:\d{1,5})?$/i;

export const ZRulesNetwork = z.object({
  allowed_hosts: z
    .array(
      z
        .string()
        .max(300)
        .refine(
          (h) => HOST_RE.test(h) || ipaddr.isValidCIDR(h),
          "must be host, host:port, *.domain, an IP address or a CIDR range",
        ),
    )
    .max(100),
});

/** Hosts rules may reach with `fetch` (empty: fetch is off). */
export async function getRulesNetwork(deps: TDeps, admin: TRulesActor) {
  assertAdminAllowed(admin, "rules:read");
  return { allowed_hosts: await getRulesAllowedHosts(deps.db) };
}

/**
 * Replace the rules' fetch allowlist, audited in the same transaction. It decides what the server itself may
 * connect to, so it is configuration (`config:write`), not something a rules editor may change.
 */
export async function setRulesNetwork(deps: TDeps, admin: TRulesActor, body: unknown) {
  assertAdminAllowed(admin, "config:write");
  const { allowed_hosts } = parseRulesInput(ZRulesNetwork, body);
  const hosts = [...new Set(allowed_hosts.map((h) => h.toLowerCase()))];
  await deps.db.transaction(async (tx) => {
    const before = await getRulesAllowedHosts(tx);
    await setRulesAllowedHosts(tx, hosts, deps.clock.now());
    await recordRulesChange(tx, deps, admin, {
      action: "update rules network",
      target: "rules",
      before: { allowed_hosts: before },
      after: { allowed_hosts: hosts },
    });
  });
  deps.rules.clear();
  return { allowed_hosts: hosts };
}
