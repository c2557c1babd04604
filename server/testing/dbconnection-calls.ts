import type { TDeps } from "../config/deps.ts";
import { listLogs, type TLogRecord } from "../store/logs.ts";
import { CLIENT_IP_HEADER } from "../oauth/core/request.ts";
import { handleSignup } from "../oauth/dbconnections/signup.ts";
import { handleChangePassword } from "../oauth/dbconnections/change-password.ts";
import { DEFAULT_SOCKET_IP, DEFAULT_USER_AGENT } from "./token-calls.ts";

// HTTP-level helpers for /dbconnections/*: a real Request to the Request → Response function, the answer as a
// client sees it, and the audit records the request wrote.

export type TDbCall = {
  body?: Record<string, unknown>;
  encoding?: "json" | "form";
  contentType?: string;
  rawBody?: string;
  socketIp?: string;
};

export type TDbResult = { status: number; headers: Headers; text: string; body: unknown; logs: TLogRecord[] };

function buildRequest(path: string, call: TDbCall): Request {
  const headers = new Headers({ "user-agent": DEFAULT_USER_AGENT });
  headers.set(CLIENT_IP_HEADER, call.socketIp ?? DEFAULT_SOCKET_IP);
  let body: string;
  if (call.rawBody !== undefined || call.contentType !== undefined) {
    body = call.rawBody ?? "";
    if (call.contentType !== undefined) headers.set("content-type", call.contentType);
  } else if (call.encoding === "form") {
    headers.set("content-type", "application/x-www-form-urlencoded");
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(call.body ?? {}))
      p.set(k, typeof v === "string" ? v : JSON.stringify(v));
    body = p.toString();
  } else {
    headers.set("content-type", "application/json");
    body = JSON.stringify(call.body ?? {});
  }
  return new Request(`https://portcullis.test${path}`, { method: "POST", headers, body });
}

async function call(
  deps: TDeps,
  path: string,
  handler: (req: Request, deps: TDeps) => Promise<Response>,
  c: TDbCall,
): Promise<TDbResult> {
  const before = new Set((await listLogs(deps.db, { take: 1_000_000 })).map((l) => l.log_id));
  const res = await handler(buildRequest(path, c), deps);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // change_password answers plain text.
  }
  const logs = (await listLogs(deps.db, { take: 1_000_000 })).filter((l) => !before.has(l.log_id));
  return { status: res.status, headers: res.headers, text, body, logs };
}

/** POST /dbconnections/signup. */
export function callSignup(deps: TDeps, c: TDbCall): Promise<TDbResult> {
  return call(deps, "/dbconnections/signup", handleSignup, c);
}

/** POST /dbconnections/change_password. */
export function callChangePassword(deps: TDeps, c: TDbCall): Promise<TDbResult> {
  return call(deps, "/dbconnections/change_password", handleChangePassword, c);
}
