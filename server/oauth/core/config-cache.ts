import { findClientByClientId, type TClientRecord } from "../../store/clients.ts";
import { findConnectionById, findConnectionByName, type TConnectionRecord } from "../../store/connections.ts";
import { findResourceServer, type TResourceServerRecord } from "../../store/resource-servers.ts";
import { getTenant, type TTenantRecord } from "../../store/tenant.ts";
import type { TSqlRunner } from "../../store/raw-sql.ts";
import { readStoredPolicies } from "../../store/attack-protection.ts";
import { resolvePolicies, type TAttackProtectionPolicies } from "../../protection/policies.ts";

/**
 * Tenant configuration (clients, connections, APIs, tenant settings) read on every token request but changed
 * rarely. Entries live for TTL_MS, so a change made through another server process is in force within that time,
 * and the hot path saves four queries per login.
 */
export interface TConfigCache {
  tenant(): Promise<TTenantRecord>;
  client(clientId: string): Promise<TClientRecord | null>;
  connection(name: string): Promise<TConnectionRecord | null>;
  /** By internal id (a refresh token's user → its connection, for rules). */
  connectionById(id: string): Promise<TConnectionRecord | null>;
  resourceServer(identifier: string): Promise<TResourceServerRecord | null>;
  /** Attack-protection policies (defaults filled in, allowlists compiled). */
  attackProtection(): Promise<TAttackProtectionPolicies>;
  /** Drop everything (after an import or an admin change in this process). */
  clear(): void;
}

export const CONFIG_TTL_MS = 1000;

/** Build the short-lived configuration cache over the store `sql`. */
export function createConfigCache(sql: TSqlRunner, ttlMs = CONFIG_TTL_MS): TConfigCache {
  const entries = new Map<string, { at: number; value: Promise<unknown> }>();
  function cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const hit = entries.get(key);
    if (hit && now - hit.at < ttlMs) return hit.value as Promise<T>;
    const value = load();
    entries.set(key, { at: now, value });
    // A failed load must not be cached.
    value.catch(() => entries.delete(key));
    if (entries.size > 10_000) entries.clear();
    return value;
  }
  return {
    tenant: () => cached("t", () => getTenant(sql)),
    client: (id) => cached(`c:${id}`, () => findClientByClientId(sql, id)),
    connection: (name) => cached(`n:${name}`, () => findConnectionByName(sql, name)),
    connectionById: (id) => cached(`i:${id}`, () => findConnectionById(sql, id)),
    resourceServer: (identifier) => cached(`r:${identifier}`, () => findResourceServer(sql, identifier)),
    attackProtection: () => cached("ap", async () => resolvePolicies(await readStoredPolicies(sql))),
    clear: () => entries.clear(),
  };
}
