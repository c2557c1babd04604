import type { TLogEvent, TLogType } from "../../audit/events.ts";
import type { TGrantContext } from "./grant-context.ts";

/**
 * The audit record of a login that succeeded (`sepft` for the password grants, the MFA grants' own types): what the
 * grant gathered in `ctx.audit`, the client, where the request came from, and the grant type among the details.
 */
export function loginSuccessEvent(
  ctx: TGrantContext,
  type: TLogType,
  details: Record<string, unknown> = {},
): TLogEvent {
  return {
    ...ctx.audit,
    type,
    description: "",
    client_id: ctx.client.clientId,
    client_name: ctx.client.name,
    ip: ctx.ip,
    client_ip: ctx.clientIp,
    user_agent: ctx.userAgent,
    hostname: ctx.hostname,
    details: { ...ctx.audit.details, grant_type: ctx.grantType, ...details },
  };
}
