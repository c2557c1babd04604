import { randomBytes } from "node:crypto";
import type { TDeps } from "../../config/deps.ts";
import { findUserByIdentifier, insertUser } from "../../store/users.ts";
import { insertLog, insertLogRelaxed } from "../../store/logs.ts";
import { isUniqueViolation } from "../../store/raw-sql.ts";
import { takeSend } from "../../store/send-limits.ts";
import { claimNotification } from "../../store/notification-claims.ts";
import { errorMessage } from "../../platform/logger.ts";
import type { TLogType } from "../../audit/events.ts";
import { SUSPICIOUS_IP_BLOCKED, TooManyAttempts } from "../core/errors.ts";
import {
  jsonAnswer,
  readBodyText,
  readRequestMeta,
  toResponse,
  type TJsonAnswer,
  type TTokenRequest,
} from "../core/request.ts";
import {
  DbConnectionError,
  SIGNUP_DISABLED,
  SIGNUP_PASSWORD_LEAKED,
  USER_EXISTS,
  USERNAME_EXISTS,
  serializeDbConnectionError,
} from "./errors.ts";
import { DBCONNECTIONS_MAX_BODY_BYTES, parseDbParams } from "./read-params.ts";
import { resolveDbConnection, type TDbAudit } from "./resolve-connection.ts";
import { readSignupInput } from "./signup-input.ts";
import { findNewPasswordError } from "./new-password.ts";
import { rememberPassword } from "../../auth/password-policy.ts";
import { issueAccountTicket } from "./account-tickets.ts";
import { sendVerificationMail } from "./account-mails.ts";
import { checkNewPasswordBreach } from "./check-new-password-breach.ts";
import { ipBucketKey } from "../../protection/ip-throttle.ts";
import type { TSuspiciousIpThrottling } from "../../protection/policies.ts";

const HOUR_MS = 3600 * 1000;

/** POST /dbconnections/signup as a web Request → Response (the route under `next dev`; tests). */
export async function handleSignup(req: Request, deps: TDeps): Promise<Response> {
  return toResponse(
    await answerSignup(
      { headers: req.headers, readBody: () => readBodyText(req, DBCONNECTIONS_MAX_BODY_BYTES) },
      deps,
    ),
  );
}

/** Whether the connection mails a verification link on signup (Auth0 does by default; `send_verification_email: false` turns it off). */
export function isVerificationMailOn(options: Record<string, unknown>): boolean {
  return options.send_verification_email !== false;
}

/**
 * POST /dbconnections/signup (Auth0's Authentication API): create a user in a database connection and answer
 * `{ _id, email_verified, email, … }`. Refused signups answer Auth0's bodies and never change an existing user;
 * every request leaves its audit record (`ss`, `fs`, `signup_pwd_leak` or `limit_mu`), plus `signup_pwd_leak`
 * for a breached password that the stage only monitors and `limit_mu` (once an hour per IP) for a signup over
 * the IP limit in monitoring mode. The password is hashed on every path that reaches the user lookup, so
 * "user exists" and "created" take the same time.
 */
export async function answerSignup(req: TTokenRequest, deps: TDeps): Promise<TJsonAnswer> {
  const meta = readRequestMeta(req);
  const now = deps.clock.now();
  const audit: TDbAudit = {
    ip: meta.clientIp,
    client_ip: meta.clientIp,
    user_agent: meta.userAgent,
    hostname: meta.hostname,
  };
  let logType: TLogType = "fs";
  let limitBucket = "";
  try {
    const params = await parseDbParams(req);
    const { connection } = await resolveDbConnection(deps, params.strings, audit);
    if (connection.options.disable_signup === true) {
      throw new DbConnectionError(400, { error: SIGNUP_DISABLED }, SIGNUP_DISABLED);
    }
    const input = readSignupInput(params);
    audit.user_name = input.email.toLowerCase();
    const admission = await admitSignupFromIp(deps, meta.clientIp, now);
    if (admission.kind === "refused") {
      logType = "limit_mu";
      limitBucket = admission.bucket;
      throw new TooManyAttempts(SUSPICIOUS_IP_BLOCKED);
    }
    if (admission.kind === "monitored") {
      const { bucket, stage } = admission;
      await writeLimitRecord(
        deps,
        audit,
        `Suspicious IP ${bucket} exceeded ${stage.max_attempts} signups (monitoring only)`,
        { monitoring: true, max_attempts: stage.max_attempts, rate: stage.rate, blocked_ip: bucket },
        bucket,
        now,
      );
    }
    const profileFacts = {
      email: input.email,
      username: input.username ?? null,
      name: input.profile.name ?? null,
      nickname: input.profile.nickname ?? null,
      givenName: input.profile.given_name ?? null,
      familyName: input.profile.family_name ?? null,
    };
    const weak = await findNewPasswordError(deps, {
      connection,
      password: input.password,
      user: profileFacts,
    });
    if (weak) throw weak;
    const breach = await checkNewPasswordBreach(deps, "signup", input.password, {
      who: input.email.toLowerCase(),
      ip: meta.clientIp,
      now,
    });
    if (breach.kind === "blocked") {
      logType = "signup_pwd_leak";
      throw DbConnectionError.badRequest("password_leaked", SIGNUP_PASSWORD_LEAKED);
    }
    if (breach.kind === "flagged") {
      await writeLog(
        deps,
        "signup_pwd_leak",
        audit,
        "Signup with a password that appears in a breached-password list (not blocked)",
        now,
        { blocked: false },
      );
    }
    // Hashed before the lookup: an existing email costs the same time as a new one.
    const passwordHash = await deps.hasher.hash(input.password);
    const id = randomBytes(12).toString("hex");
    const userId = `auth0|${id}`;
    const isVerifying = isVerificationMailOn(connection.options);
    const ticket = await deps.db.transaction(async (q) => {
      const byEmail = await findUserByIdentifier(q, connection.id, input.email);
      if (byEmail && byEmail.email === input.email.toLowerCase()) {
        throw DbConnectionError.badRequest("user_exists", USER_EXISTS);
      }
      if (input.username && (await findUserByIdentifier(q, connection.id, input.username))) {
        throw DbConnectionError.badRequest("username_exists", USERNAME_EXISTS);
      }
      try {
        await insertUser(
          q,
          {
            userId,
            connectionId: connection.id,
            email: input.email,
            emailVerified: false,
            username: input.username ?? null,
            name: input.profile.name ?? null,
            nickname: input.profile.nickname ?? null,
            givenName: input.profile.given_name ?? null,
            familyName: input.profile.family_name ?? null,
            picture: input.profile.picture ?? null,
            passwordHash,
            userMetadata: input.userMetadata ?? {},
          },
          now,
        );
      } catch (err) {
        // Two signups for one email at once: the second finds the first's row through the unique index.
        if (isUniqueViolation(err)) throw DbConnectionError.badRequest("user_exists", USER_EXISTS);
        throw err;
      }
      await insertLog(
        q,
        {
          ...audit,
          type: "ss",
          description: "Successful signup",
          user_id: userId,
          details: { verification_mail: isVerifying },
        },
        now,
      );
      const created = (await findUserByIdentifier(q, connection.id, input.email))!;
      // The first password starts the history (the connection's password_history option).
      await rememberPassword(q, deps, created.id, passwordHash, now);
      return isVerifying ? issueAccountTicket(q, deps, "verify_email", created.id, now) : null;
    });
    if (ticket)
      await sendVerificationMail(
        deps,
        { userId, email: input.email.toLowerCase(), name: input.profile.name ?? null },
        ticket.link,
        ticket.token,
      );
    return jsonAnswer(200, {
      _id: id,
      email_verified: false,
      email: input.email.toLowerCase(),
      ...(input.username !== undefined ? { username: input.username } : {}),
      ...input.profile,
      ...(input.userMetadata ? { user_metadata: input.userMetadata } : {}),
    });
  } catch (err) {
    if (
      !(err instanceof DbConnectionError) &&
      !(err instanceof TooManyAttempts) &&
      !(err instanceof Error && err.name === "InvalidRequest")
    ) {
      deps.log.error({ err: errorMessage(err) }, "signup endpoint error");
    }
    const { status, body, headers } = serializeDbConnectionError(err);
    const description =
      err instanceof DbConnectionError ? err.logDescription : String(body.error_description ?? body.error);
    if (logType === "limit_mu") await writeLimitRecord(deps, audit, description, {}, limitBucket, now);
    else await writeLog(deps, logType, audit, description, now);
    return jsonAnswer(status, body, headers);
  }
}

type TSignupStage = TSuspiciousIpThrottling["stage"]["pre-user-registration"];

type TSignupAdmission =
  | { kind: "admitted" }
  | { kind: "refused"; bucket: string }
  /** Over the limit with no `block` shield: let through, recorded as the login's monitoring mode does. */
  | { kind: "monitored"; bucket: string; stage: TSignupStage };

/**
 * Suspicious-IP throttling at Auth0's pre-user-registration stage: every signup from an IP (successes included)
 * takes one attempt from its own bucket (separate from the login bucket), `max_attempts` refilled one per `rate`.
 * IPv6 clients draw from their network's bucket at the policy's `ipv6_prefix_length`.
 */
async function admitSignupFromIp(deps: TDeps, ip: string | undefined, now: Date): Promise<TSignupAdmission> {
  const policy = (await deps.config.attackProtection()).suspiciousIp;
  if (!policy.enabled || !ip || policy.allowed.has(ip)) return { kind: "admitted" };
  const stage = policy.stage["pre-user-registration"];
  const bucket = ipBucketKey(policy, ip);
  if (await takeSend(deps.db, `signup|${bucket}`, now.getTime(), stage.rate, stage.max_attempts))
    return { kind: "admitted" };
  return policy.shields.includes("block")
    ? { kind: "refused", bucket }
    : { kind: "monitored", bucket, stage };
}

/** A `limit_mu` record, at most one per IP bucket and hour: a flood writes one record, not one per request. */
async function writeLimitRecord(
  deps: TDeps,
  audit: TDbAudit,
  description: string,
  details: Record<string, unknown>,
  bucket: string,
  now: Date,
): Promise<void> {
  try {
    const key = `signup_limit|${bucket}`;
    if (!(await claimNotification(deps.db, key, now, new Date(now.getTime() - HOUR_MS)))) return;
    await insertLogRelaxed(
      deps.db,
      { ...audit, type: "limit_mu", description, details: { flow: "pre-user-registration", ...details } },
      now,
    );
  } catch (err) {
    deps.log.error({ err: errorMessage(err) }, "could not write audit record");
  }
}

async function writeLog(
  deps: TDeps,
  type: Exclude<TLogType, "limit_mu">,
  audit: TDbAudit,
  description: string,
  now: Date,
  details: Record<string, unknown> = { error: { message: description } },
): Promise<void> {
  try {
    await insertLog(deps.db, { ...audit, type, description, details }, now);
  } catch (err) {
    deps.log.error({ err: errorMessage(err) }, "could not write audit record");
  }
}
