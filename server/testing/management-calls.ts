import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import type { TDeps } from "../config/deps.ts";
import { setDeps } from "../config/deps.ts";
import { createHttpServer } from "../http/serve.ts";
import {
  deleteClientGrant,
  findClientGrant,
  insertClientGrant,
  updateClientGrantScope,
} from "../store/client-grants.ts";
import { managementAudience } from "../management/management-api.ts";
import { createAppRouteHandler } from "./app-routes.ts";
import { callToken } from "./token-calls.ts";
import type { TSecretClient } from "./fixtures.ts";

// Management API (/api/v2) tests: a running server (the app's own route handlers over our HTTP server), a
// client grant for the Management API, and real client_credentials tokens for it.

export type TManagementServer = {
  baseUrl: string;
  /** One request to `path` (under the server) with the bearer `token`; a `body` is sent as JSON. */
  call(
    method: string,
    path: string,
    opts?: { token?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<{ status: number; headers: Headers; body: unknown }>;
  close(): Promise<void>;
};

/** Start a server answering with the app's route handlers over `deps` (installed as the process's deps). */
export async function startManagementServer(deps: TDeps): Promise<TManagementServer> {
  setDeps(deps);
  const server: Server = createHttpServer(deps, createAppRouteHandler());
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl,
    async call(method, path, opts = {}) {
      const res = await fetch(`${baseUrl}${path}`, {
        method,
        headers: {
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
          ...(opts.body !== undefined ? { "content-type": "application/json" } : {}),
          ...opts.headers,
        },
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        // not JSON: the text itself
      }
      return { status: res.status, headers: res.headers, body };
    },
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

/**
 * Give `client` a Management API grant with exactly `scopes` (replacing any it had) and get a client_credentials
 * token for it through the token endpoint.
 */
export async function managementToken(deps: TDeps, client: TSecretClient, scopes: string[]): Promise<string> {
  const audience = managementAudience(deps.env.PUBLIC_URL);
  const existing = await findClientGrant(deps.db, client.id, audience);
  if (existing) await updateClientGrantScope(deps.db, existing.id, scopes, deps.clock.now());
  else
    await insertClientGrant(
      deps.db,
      {
        id: `cgr_${randomUUID().replace(/-/g, "").slice(0, 16)}`,
        clientId: client.id,
        audience,
        scope: scopes,
      },
      deps.clock.now(),
    );
  const res = await callToken(deps, {
    params: {
      grant_type: "client_credentials",
      client_id: client.clientId,
      client_secret: client.secret,
      audience,
    },
  });
  if (res.status !== 200) throw new Error(`no Management API token: ${JSON.stringify(res.body)}`);
  return String(res.body.access_token);
}

/** Revoke `client`'s Management API grant. */
export async function revokeManagementGrant(deps: TDeps, client: TSecretClient): Promise<void> {
  const grant = await findClientGrant(deps.db, client.id, managementAudience(deps.env.PUBLIC_URL));
  if (grant) await deleteClientGrant(deps.db, grant.id);
}
