import type { TDeps } from "../config/deps.ts";
import { AdminError, toAdminErrorResponse } from "./admin-error.ts";
import { withAdmin } from "./session.ts";
import type { TAction } from "./roles.ts";
import type { TRulesActor } from "./rules/rule-json.ts";
import { parseAdminJson, readAdminBodyText } from "./read-admin-body.ts";

function json(status: number, body: unknown): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store" },
  });
}

/** Read a JSON request body; a missing body is {}, a malformed one a 400, one over the size limit a 413. */
export async function readJsonBody(req: Request): Promise<unknown> {
  const text = await readAdminBodyText(req);
  if (!text) return {};
  try {
    return parseAdminJson(text);
  } catch {
    throw AdminError.invalid("The request body is not valid JSON.");
  }
}

/**
 * Rules admin routes: the session-or-token guard for `action`, then the handler (given the acting admin, for the
 * audit record) and its value as JSON (null → 204), and AdminErrors in the rules API's `{error, message, details?}` body.
 */
export function withRulesAdmin<P = Record<string, never>>(
  action: TAction,
  handler: (req: Request, deps: TDeps, params: P, admin: TRulesActor) => Promise<unknown>,
  opts: { status?: number } = {},
) {
  return withAdmin(action, async (req, deps, admin, params) => {
    try {
      const result = await handler(req, deps, params as P, admin);
      return result === null ? json(204, null) : json(opts.status ?? 200, result);
    } catch (err) {
      if (err instanceof AdminError) return toAdminErrorResponse(err, "rules");
      throw err;
    }
  });
}
