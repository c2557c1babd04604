import type { TDeps } from "../config/deps.ts";
import { listLogs, type TLogRecord } from "../store/logs.ts";
import { handleTokenRequest } from "../oauth/token-endpoint.ts";
import { CLIENT_IP_HEADER } from "../oauth/core/request.ts";
import { PASSWORD, PASSWORD_REALM } from "../oauth/grant-types.ts";
import type { TFixtureClient } from "./fixtures.ts";

// HTTP-level helpers: build a real Request, call the endpoint, return what a client sees plus the audit rows.

export const PASSWORD_GRANT = PASSWORD;
export const REALM_GRANT = PASSWORD_REALM;

export type TTokenCall = {
  /** Body parameters; sent form-encoded unless `encoding` says otherwise. */
  params?: Record<string, string>;
  encoding?: "form" | "form-charset" | "json";
  /** Overrides the Content-Type header and sends `rawBody` as is. */
  contentType?: string;
  rawBody?: string;
  basic?: { id: string; secret: string };
  headers?: Record<string, string>;
  /** Socket address our HTTP server would set. */
  socketIp?: string;
  userAgent?: string;
  /** The URL's query string, without "?". */
  query?: string;
};

export type TTokenResult = {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
  /** Audit records this request wrote. */
  logs: TLogRecord[];
};

export const DEFAULT_SOCKET_IP = "198.51.100.10";
export const DEFAULT_USER_AGENT = "node-auth0/4.27.0 (contract-test)";

/** Build the Request a client would send to POST /oauth/token. */
export function buildTokenRequest(call: TTokenCall): Request {
  const headers = new Headers(call.headers);
  headers.set(CLIENT_IP_HEADER, call.socketIp ?? DEFAULT_SOCKET_IP);
  headers.set("user-agent", call.userAgent ?? DEFAULT_USER_AGENT);
  if (call.basic) {
    const enc = (s: string) => encodeURIComponent(s);
    headers.set(
      "authorization",
      `Basic ${Buffer.from(`${enc(call.basic.id)}:${enc(call.basic.secret)}`).toString("base64")}`,
    );
  }
  let body: string;
  if (call.rawBody !== undefined || call.contentType !== undefined) {
    body = call.rawBody ?? "";
    if (call.contentType !== undefined) headers.set("content-type", call.contentType);
  } else if (call.encoding === "json") {
    headers.set("content-type", "application/json");
    body = JSON.stringify(call.params ?? {});
  } else {
    headers.set(
      "content-type",
      call.encoding === "form-charset"
        ? "application/x-www-form-urlencoded;charset=UTF-8"
        : "application/x-www-form-urlencoded",
    );
    body = new URLSearchParams(call.params ?? {}).toString();
  }
  const url = `https://portcullis.test/oauth/token${call.query ? `?${call.query}` : ""}`;
  return new Request(url, { method: "POST", headers, body });
}

async function allLogIds(deps: TDeps): Promise<Set<string>> {
  return new Set((await listLogs(deps.db, { take: 1_000_000 })).map((l) => l.log_id));
}

/** POST /oauth/token through handleTokenRequest and collect the audit records the request wrote. */
export async function callToken(deps: TDeps, call: TTokenCall): Promise<TTokenResult> {
  const before = await allLogIds(deps);
  const res = await handleTokenRequest(buildTokenRequest(call), deps);
  const text = await res.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new Error(`Token endpoint answered ${res.status} with a non-JSON body: ${text}`);
  }
  const logs = (await listLogs(deps.db, { take: 1_000_000 })).filter((l) => !before.has(l.log_id));
  return { status: res.status, headers: res.headers, body, logs };
}

/**
 * callToken that also notes in `seen` every password and client secret the call sends (right or wrong, 8 characters
 * or more) and every token it gets back, for a test proving that none of them reaches the audit log.
 */
export async function callTokenNotingSecrets(
  deps: TDeps,
  call: TTokenCall,
  seen: string[],
): Promise<TTokenResult> {
  for (const k of ["password", "client_secret"]) {
    const v = call.params?.[k];
    if (v && v.length >= 8) seen.push(v);
  }
  const res = await callToken(deps, call);
  for (const k of ["access_token", "id_token", "refresh_token"]) {
    if (typeof res.body[k] === "string") seen.push(res.body[k]);
  }
  return res;
}

/** Parameters of a password grant sent by a client_secret_post client. */
export function passwordParams(
  client: Pick<TFixtureClient, "clientId"> & { secret?: string },
  user: { email: string; password: string },
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    grant_type: PASSWORD_GRANT,
    client_id: client.clientId,
    ...(client.secret ? { client_secret: client.secret } : {}),
    username: user.email,
    password: user.password,
    ...extra,
  };
}

/** Parameters of a realm grant, in node-auth0's field order. */
export function realmParams(
  client: TFixtureClient & { secret?: string },
  user: { email: string; password: string },
  realm: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    client_id: client.clientId,
    username: user.email,
    password: user.password,
    realm,
    ...extra,
    ...(client.secret ? { client_secret: client.secret } : {}),
    grant_type: REALM_GRANT,
  };
}
