import type { TDeps } from "../../config/deps.ts";
import { findUserByIdentifier } from "../../store/users.ts";
import { insertLog } from "../../store/logs.ts";
import { takeSend } from "../../store/send-limits.ts";
import { errorMessage } from "../../platform/logger.ts";
import { ipBucketKey } from "../../protection/ip-throttle.ts";
import {
  jsonAnswer,
  readBodyText,
  readRequestMeta,
  toResponse,
  type TJsonAnswer,
  type TTokenRequest,
} from "../core/request.ts";
import { RESET_SENT, missingParameter, serializeDbConnectionError, DbConnectionError } from "./errors.ts";
import { DBCONNECTIONS_MAX_BODY_BYTES, parseDbParams } from "./read-params.ts";
import { resolveDbConnection, type TDbAudit } from "./resolve-connection.ts";
import { issueAccountTicket } from "./account-tickets.ts";
import { sendResetMail } from "./account-mails.ts";

/** Reset mails per user: 3, then one more every 20 minutes. */
export const RESET_MAILS_PER_USER = { capacity: 3, intervalMs: 20 * 60 * 1000 } as const;
/**
 * Reset requests per IP (known and unknown emails alike): 10, then one more every 6 minutes. IPv6 clients are
 * counted per network at suspicious-IP throttling's `ipv6_prefix_length`, as the login and signup IP limits are.
 */
export const RESET_REQUESTS_PER_IP = { capacity: 10, intervalMs: 6 * 60 * 1000 } as const;
/**
 * Every accepted request takes at least this long, whether a mail went out or not, so the answer's timing does
 * not tell a registered email from an unknown one (the ticket and the outbox row cost a few milliseconds).
 */
export const CHANGE_PASSWORD_FLOOR_MS = 60;

/** POST /dbconnections/change_password as a web Request → Response. */
export async function handleChangePassword(req: Request, deps: TDeps): Promise<Response> {
  return toResponse(
    await answerChangePassword(
      { headers: req.headers, readBody: () => readBodyText(req, DBCONNECTIONS_MAX_BODY_BYTES) },
      deps,
    ),
  );
}

/**
 * POST /dbconnections/change_password (Auth0's Authentication API): mail a single-use, 5-day link to the hosted
 * reset page. The answer is Auth0's sentence for every well-formed request — unknown email, over a limit, mail
 * failed — so it never tells whether an account exists; the audit record (`scpr`/`fcpr`) tells the operator.
 */
export async function answerChangePassword(req: TTokenRequest, deps: TDeps): Promise<TJsonAnswer> {
  const startedAt = performance.now();
  const meta = readRequestMeta(req);
  const now = deps.clock.now();
  const audit: TDbAudit = {
    ip: meta.clientIp,
    client_ip: meta.clientIp,
    user_agent: meta.userAgent,
    hostname: meta.hostname,
  };
  let outcome: { type: "scpr" | "fcpr"; description: string; user_id?: string };
  try {
    const params = await parseDbParams(req);
    const { connection } = await resolveDbConnection(deps, params.strings, audit);
    const email = params.strings.email?.trim();
    if (!email) throw missingParameter("email");
    if (email.length > 254) throw DbConnectionError.badRequest("invalid_parameter", "email is too long.");
    audit.user_name = email.toLowerCase();
    const { suspiciousIp } = await deps.config.attackProtection();
    const ipKey = `reset_ip|${ipBucketKey(suspiciousIp, meta.clientIp ?? "")}`;
    const user = await findUserByIdentifier(deps.db, connection.id, email);
    const isUser = !!user && user.email === email.toLowerCase() && !!user.passwordHash;
    if (
      !(await takeSend(
        deps.db,
        ipKey,
        now.getTime(),
        RESET_REQUESTS_PER_IP.intervalMs,
        RESET_REQUESTS_PER_IP.capacity,
      ))
    ) {
      outcome = { type: "fcpr", description: "Too many password reset requests from this IP" };
    } else if (!isUser) {
      outcome = { type: "fcpr", description: "The user does not exist" };
    } else if (
      !(await takeSend(
        deps.db,
        `reset_user|${user.id}`,
        now.getTime(),
        RESET_MAILS_PER_USER.intervalMs,
        RESET_MAILS_PER_USER.capacity,
      ))
    ) {
      outcome = {
        type: "fcpr",
        description: "Too many password reset requests for this user",
        user_id: user.userId,
      };
    } else {
      const ticket = await deps.db.transaction((q) =>
        issueAccountTicket(q, deps, "reset_password", user.id, now),
      );
      await sendResetMail(deps, user, ticket.link, ticket.token);
      outcome = { type: "scpr", description: "Password reset mail sent", user_id: user.userId };
    }
  } catch (err) {
    if (!(err instanceof DbConnectionError) && !(err instanceof Error && err.name === "InvalidRequest")) {
      deps.log.error({ err: errorMessage(err) }, "change_password endpoint error");
    }
    const { status, body, headers } = serializeDbConnectionError(err);
    const description =
      err instanceof DbConnectionError ? err.logDescription : String(body.error_description ?? body.error);
    await writeLog(deps, { type: "fcpr", description }, audit, now);
    return jsonAnswer(status, body, headers);
  }
  await writeLog(deps, outcome, audit, now);
  const wait = CHANGE_PASSWORD_FLOOR_MS - (performance.now() - startedAt);
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  return {
    status: 200,
    headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", pragma: "no-cache" },
    body: RESET_SENT,
  };
}

async function writeLog(
  deps: TDeps,
  o: { type: "scpr" | "fcpr"; description: string; user_id?: string },
  audit: TDbAudit,
  now: Date,
): Promise<void> {
  try {
    await insertLog(
      deps.db,
      { ...audit, type: o.type, description: o.description, ...(o.user_id ? { user_id: o.user_id } : {}) },
      now,
    );
  } catch (err) {
    deps.log.error({ err: errorMessage(err) }, "could not write audit record");
  }
}
