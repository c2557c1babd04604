import type { TDeps } from "../../config/deps.ts";
import { AdminError } from "../../admin/admin-error.ts";
import { readJsonObject } from "../../admin/management-route.ts";
import { createClientGrant } from "../../admin/client-grants/create-client-grant.ts";
import { deleteClientGrant } from "../../admin/client-grants/delete-client-grant.ts";
import { listClientGrants } from "../../admin/client-grants/list-client-grants.ts";
import { updateClientGrant } from "../../admin/client-grants/update-client-grant.ts";
import type { TManagementCaller } from "../authenticate-management.ts";
import { ManagementError } from "../management-error.ts";
import { pageBody, readPaging, readText, slicePage } from "../query-params.ts";
import { created } from "../with-management.ts";

// /api/v2/client-grants over the dashboard's client-grant use cases (which check the scopes against the API's own,
// the Management API's included, and audit as the calling client), in Auth0's shapes and error bodies.

/**
 * Auth0's organization and subject options of a grant, at the values that mean "a plain client grant": accepted
 * (node-auth0 and Terraform send them) and dropped. Any other value asks for something Portcullis does not have.
 */
const PLAIN_GRANT_OPTIONS: Record<string, (v: unknown) => boolean> = {
  organization_usage: (v) => v === "deny" || v === null,
  allow_any_organization: (v) => v === false || v === null,
  subject_type: (v) => v === "client",
  authorization_details_types: (v) => Array.isArray(v) && v.length === 0,
};

function withoutPlainOptions(body: Record<string, unknown>): Record<string, unknown> {
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    const isPlain = PLAIN_GRANT_OPTIONS[key];
    if (!isPlain) rest[key] = value;
    else if (!isPlain(value))
      throw ManagementError.invalidBody(
        `Payload validation error: '${key}' is not supported by this server (only plain client grants are).`,
      );
  }
  return rest;
}

/** A client grant as Auth0 returns it (`ClientGrant`). */
function auth0Grant(g: { id: string; client_id: string; audience: string; scope: string[] }) {
  return { id: g.id, client_id: g.client_id, audience: g.audience, scope: g.scope };
}

const NO_GRANT = () =>
  ManagementError.notFound("The client grant does not exist.", "inexistent_client_grant");

/** The use cases' refusals in Auth0's words (unknown client or API: 404; the pair granted already: 409). */
async function asAuth0<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (!(err instanceof AdminError)) throw err;
    if (err.status === 404) throw NO_GRANT();
    if (err.status === 409)
      throw ManagementError.conflict(
        "A client grant for this client and audience already exists.",
        "client_grant_conflict",
      );
    if (err.status === 400 && err.fields?.client_id?.startsWith("No application"))
      throw ManagementError.notFound("The client does not exist.", "inexistent_client");
    if (err.status === 400 && err.fields?.audience?.startsWith("No API"))
      throw ManagementError.notFound("The resource server does not exist", "inexistent_resource_server");
    throw err;
  }
}

/** GET /api/v2/client-grants: `audience`, `client_id`, paging. */
export async function listClientGrantsPage(deps: TDeps, caller: TManagementCaller, url: URL) {
  const paging = readPaging(url);
  const audience = readText(url, "audience", 600);
  const clientId = readText(url, "client_id", 256);
  const all = (await listClientGrants(deps, caller, { audience, client_id: clientId })).sort((a, b) =>
    a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
  );
  return pageBody("client_grants", slicePage(all, paging).map(auth0Grant), paging, all.length);
}

/** POST /api/v2/client-grants `{client_id, audience, scope}`: 201 with the grant. */
export async function createClientGrantFromRequest(deps: TDeps, caller: TManagementCaller, req: Request) {
  const body = withoutPlainOptions(await readJsonObject(req));
  return created(auth0Grant(await asAuth0(() => createClientGrant(deps, caller, body))));
}

/** PATCH /api/v2/client-grants/{id} `{scope}`: the grant with its new scopes. */
export async function updateClientGrantFromRequest(
  deps: TDeps,
  caller: TManagementCaller,
  id: string,
  req: Request,
) {
  const body = withoutPlainOptions(await readJsonObject(req));
  return auth0Grant(await asAuth0(() => updateClientGrant(deps, caller, id, body)));
}

/** DELETE /api/v2/client-grants/{id}: 204. */
export async function deleteClientGrantById(
  deps: TDeps,
  caller: TManagementCaller,
  id: string,
): Promise<undefined> {
  await asAuth0(() => deleteClientGrant(deps, caller, id));
  return undefined;
}
