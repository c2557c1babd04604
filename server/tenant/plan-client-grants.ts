import type { TClientRecord } from "../store/clients.ts";
import type { TResourceServerRecord } from "../store/resource-servers.ts";
import { undefinedScopes } from "../oauth/client-grant-settings.ts";
import type { TTenantFile } from "./tenant-schema.ts";
import { findDuplicates, type TProblem } from "./read-tenant-file.ts";
import { isManagementApi } from "../management/management-api.ts";

/** A client grant the import will create or update: `clientRef` is a client's name or client_id. */
export type TClientGrantPlan = { clientRef: string; audience: string; scope: string[] };

/**
 * Check the file's `clientGrants` against the file's and the stored clients and APIs. A grant names its client by
 * name (as auth0-deploy-cli writes it) or client_id; its scopes must be the API's own. A grant for another
 * tenant's Management API (`https://<tenant>.auth0.com/api/v2/`, as an Auth0 export carries it) becomes a grant for
 * this server's Management API, keeping the scopes it serves and reporting the others as unsupported. Grants
 * missing from the file are left alone (deploy-CLI imports are patches).
 */
export function planClientGrants(
  file: TTenantFile,
  existing: {
    clientsByName: Map<string, TClientRecord>;
    clientsByClientId: Map<string, TClientRecord>;
    apisByIdentifier: Map<string, TResourceServerRecord>;
  },
  problems: TProblem[],
  unsupported: string[],
): TClientGrantPlan[] {
  const grants = file.clientGrants ?? [];
  const fileClients = file.clients ?? [];
  /** A client reference → one key per client (its name), so a name and a client_id of one client are duplicates. */
  const clientKey = (ref: string): string | undefined =>
    fileClients.find((c) => c.name === ref || c.client_id === ref)?.name ??
    existing.clientsByName.get(ref)?.name ??
    existing.clientsByClientId.get(ref)?.name;
  const apiScopes = (audience: string): string[] | undefined => {
    const inFile = (file.resourceServers ?? []).find((a) => a.identifier === audience);
    if (inFile?.scopes) return inFile.scopes.map((s) => s.value);
    const stored = existing.apisByIdentifier.get(audience);
    return inFile ? (stored?.scopes.map((s) => s.value) ?? []) : stored?.scopes.map((s) => s.value);
  };
  const management = [...existing.apisByIdentifier.values()].find(isManagementApi);
  const planned: (TClientGrantPlan & { key: string })[] = [];
  grants.forEach((g, i) => {
    const path = `clientGrants[${i}]`;
    if (apiScopes(g.audience) === undefined && /\/api\/v2\/?$/.test(g.audience) && management) {
      const served = new Set(management.scopes.map((s) => s.value));
      for (const s of g.scope.filter((s) => !served.has(s))) unsupported.push(`${path}.scope "${s}"`);
      g = { ...g, audience: management.identifier, scope: g.scope.filter((s) => served.has(s)) };
    }
    const scopes = apiScopes(g.audience);
    const key = clientKey(g.client_id);
    if (key === undefined)
      problems.push({ path: `${path}.client_id`, message: `no client named "${g.client_id}"` });
    if (scopes === undefined) {
      problems.push({ path: `${path}.audience`, message: `no API with identifier "${g.audience}"` });
    } else {
      const unknown = undefinedScopes(g.scope, scopes);
      if (unknown.length > 0)
        problems.push({
          path: `${path}.scope`,
          message: `the API "${g.audience}" defines no scope ${unknown.map((s) => `"${s}"`).join(", ")}`,
        });
    }
    if (key !== undefined)
      planned.push({ clientRef: g.client_id, audience: g.audience, scope: g.scope, key });
  });
  for (const [pair] of findDuplicates(planned.map((p) => `${p.key}\n${p.audience}`))) {
    const i = grants.findLastIndex((g) => `${clientKey(g.client_id)}\n${g.audience}` === pair);
    problems.push({
      path: `clientGrants[${i}]`,
      message: "the client already has a grant for this API in the file",
    });
  }
  return planned.map(({ clientRef, audience, scope }) => ({ clientRef, audience, scope }));
}
