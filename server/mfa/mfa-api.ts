import { randomBytes, randomUUID } from "node:crypto";
import { errorMessage, getProcessLogger } from "../platform/logger.ts";
import type { TDeps } from "../config/deps.ts";
import type { TUserRecord } from "../store/users.ts";
import {
  AccessDenied,
  AssociationRequired,
  InvalidRequest,
  InvalidToken,
  OAuthError,
  UnsupportedChallengeType,
  serializeOAuthError,
} from "../oauth/core/errors.ts";
import { isUnstorable, jsonResponse, readBodyText, readRequestMeta } from "../oauth/core/request.ts";
import { authenticateClient } from "../oauth/core/client-auth.ts";
import { verifyAccessToken } from "../auth/tokens.ts";
import { sha256Hex } from "../crypto/digest.ts";
import { insertLog } from "../store/logs.ts";
import { findUserById, findUserByUserId } from "../store/users.ts";
import {
  deleteAuthenticator,
  deleteInactiveAuthenticators,
  hasActiveAuthenticator,
  insertAuthenticator,
  listAuthenticators,
} from "../store/mfa-authenticators.ts";
import type { TLogType } from "../audit/events.ts";
import type { TSqlRunner } from "../store/raw-sql.ts";
import { isSealedMfaTokenShape, readMfaToken } from "./mfa-token.ts";
import { newTotpSecret } from "./verify-totp.ts";
import { newRecoveryCode } from "./recovery-codes.ts";

/** Audience of access tokens for the MFA API, as on Auth0: `https://{domain}/mfa/`. */
export function mfaApiAudience(deps: TDeps): string {
  return `${deps.env.issuer}mfa/`;
}

type TCaller = {
  user: TUserRecord;
  clientId: string | null;
  via: "mfa_token" | "access_token";
  scopes: string[];
};

const MAX_BODY_BYTES = 16 * 1024;

/** A JSON object body (the MFA API takes arrays such as `authenticator_types`, unlike /oauth/token). */
async function readJsonBody(req: Request): Promise<Record<string, unknown>> {
  const mediaType = (req.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  const text = await readBodyText(req, MAX_BODY_BYTES);
  if (mediaType === "application/x-www-form-urlencoded") return Object.fromEntries(new URLSearchParams(text));
  if (mediaType !== "application/json") throw new InvalidRequest("Content-Type must be application/json.");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InvalidRequest("The request body is not valid JSON.");
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new InvalidRequest("The request body must be a JSON object.");
  }
  return parsed as Record<string, unknown>;
}

function stringList(value: unknown, name: string): string[] {
  if (typeof value === "string") return value.split(" ").filter(Boolean);
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value;
  throw new InvalidRequest(`Missing or invalid parameter: ${name}`);
}

/** The bearer of an MFA API call: an `mfa_token`, or an access token for the MFA API audience. */
async function readCaller(req: Request, deps: TDeps): Promise<TCaller> {
  const header = req.headers.get("authorization");
  const token = header && /^bearer /i.test(header) ? header.slice(7).trim() : "";
  if (!token) throw new InvalidToken("Missing bearer token.");
  const now = deps.clock.now();
  // Sealed mfa_tokens look like v2.<iv>.<tag>.<ct>; access tokens are JWTs.
  if (isSealedMfaTokenShape(token)) {
    const claims = readMfaToken(deps, token, null, now);
    const user = await findUserById(deps.db, claims.userId);
    if (!user || user.blocked) throw new InvalidToken("Invalid token.");
    return { user, clientId: claims.clientId, via: "mfa_token", scopes: [] };
  }
  let payload;
  try {
    payload = await verifyAccessToken(deps.keys, token, {
      issuer: deps.env.issuer,
      audience: mfaApiAudience(deps),
      now,
    });
  } catch {
    throw new InvalidToken("Invalid token.");
  }
  const user = typeof payload.sub === "string" ? await findUserByUserId(deps.db, payload.sub) : null;
  if (!user || user.blocked) throw new InvalidToken("Invalid token.");
  const scopes = typeof payload.scope === "string" ? payload.scope.split(" ") : [];
  const azp = typeof payload.azp === "string" ? payload.azp : null;
  return { user, clientId: azp, via: "access_token", scopes };
}

function requireScope(caller: TCaller, scope: string): void {
  if (caller.via === "access_token" && !caller.scopes.includes(scope)) {
    throw new AccessDenied(`Insufficient scope, expected: ${scope}`);
  }
}

/** Write an MFA API audit record inside the caller's transaction (house rule 11). */
async function logApi(
  q: TSqlRunner,
  req: Request,
  deps: TDeps,
  caller: TCaller,
  type: TLogType,
  description: string,
) {
  const meta = readRequestMeta(req);
  await insertLog(
    q,
    {
      type,
      description,
      client_id: caller.clientId ?? undefined,
      user_id: caller.user.userId,
      user_name: caller.user.email ?? caller.user.username ?? undefined,
      ip: meta.clientIp,
      client_ip: meta.clientIp,
      user_agent: meta.userAgent,
      hostname: meta.hostname,
    },
    deps.clock.now(),
  );
}

async function answer(fn: () => Promise<Response>): Promise<Response> {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof OAuthError)) {
      getProcessLogger().error({ err: errorMessage(err) }, "MFA API error");
    }
    const { status, body, headers } = serializeOAuthError(err);
    return jsonResponse(status, body, headers);
  }
}

/** GET /mfa/authenticators: the user's authenticators (Auth0 shape; inactive = unconfirmed enrolment). */
export async function handleListAuthenticators(req: Request, deps: TDeps): Promise<Response> {
  return answer(async () => {
    const caller = await readCaller(req, deps);
    requireScope(caller, "read:authenticators");
    const list = await listAuthenticators(deps.db, caller.user.id);
    return jsonResponse(
      200,
      list.map((a) => ({ id: a.publicId, authenticator_type: a.type, active: a.active })),
    );
  });
}

/**
 * POST /mfa/associate: enrol a TOTP authenticator. An `mfa_token` may enrol only while the user has no active
 * authenticator (otherwise anyone with the password could add a factor); an MFA API token with `enroll` may add
 * more. The first authenticator comes with a recovery code. It turns active at its first verification.
 */
export async function handleAssociate(req: Request, deps: TDeps): Promise<Response> {
  return answer(async () => {
    const caller = await readCaller(req, deps);
    requireScope(caller, "enroll");
    const body = await readJsonBody(req);
    const types = stringList(body.authenticator_types, "authenticator_types");
    const tenant = await deps.config.tenant();
    if (!types.includes("otp") || !tenant.mfaOtpEnabled) {
      throw new UnsupportedChallengeType(
        `Unsupported authenticator type: ${types.join(" ")}. This server supports otp authenticators only.`,
      );
    }
    if (typeof body.client_id === "string" && caller.clientId && body.client_id !== caller.clientId) {
      throw new AccessDenied("client_id does not match the token.");
    }
    const user = caller.user;
    const isEnrolled = await hasActiveAuthenticator(deps.db, user.id);
    if (isEnrolled && caller.via === "mfa_token") throw new AccessDenied("User is already enrolled.");
    const { secret, barcodeUri } = newTotpSecret(
      tenant.friendlyName,
      user.email ?? user.username ?? user.userId,
    );
    const now = deps.clock.now();
    const devId = () => `dev_${randomBytes(12).toString("base64url")}`;
    const recoveryCode = !isEnrolled && tenant.mfaRecoveryCodeEnabled ? newRecoveryCode() : null;
    await deps.db.transaction(async (q) => {
      await deleteInactiveAuthenticators(q, user.id);
      await insertAuthenticator(q, {
        id: randomUUID(),
        publicId: `totp|${devId()}`,
        userId: user.id,
        type: "otp",
        secretEnc: deps.box.seal("user-totp-seed", secret),
        codeHash: null,
        active: false,
        createdAt: now,
      });
      if (recoveryCode) {
        await insertAuthenticator(q, {
          id: randomUUID(),
          publicId: `recovery-code|${devId()}`,
          userId: user.id,
          type: "recovery-code",
          secretEnc: null,
          codeHash: sha256Hex(recoveryCode),
          active: false,
          createdAt: now,
        });
      }
      await logApi(q, req, deps, caller, "gd_start_enroll", "Second factor enrollment started");
    });
    return jsonResponse(200, {
      authenticator_type: "otp",
      secret,
      barcode_uri: barcodeUri,
      ...(recoveryCode ? { recovery_codes: [recoveryCode] } : {}),
    });
  });
}

/**
 * POST /mfa/challenge: `{mfa_token, client_id, client_secret?, challenge_type}`. Only `otp` is served: OTP users
 * then call the mfa-otp grant. No active authenticator → `association_required`.
 */
export async function handleChallenge(req: Request, deps: TDeps): Promise<Response> {
  return answer(async () => {
    const body = await readJsonBody(req);
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(body)) if (typeof v === "string") params[k] = v;
    const { client } = await authenticateClient(req, params, deps.config);
    const mfaToken = params.mfa_token;
    if (!mfaToken) throw new InvalidRequest("Missing required parameter: mfa_token");
    const claims = readMfaToken(deps, mfaToken, client.clientId, deps.clock.now());
    const types = stringList(body.challenge_type ?? "otp oob", "challenge_type");
    const all = await listAuthenticators(deps.db, claims.userId);
    const active = all.filter((a) => a.active && a.type === "otp");
    if (
      typeof params.authenticator_id === "string" &&
      !active.some((a) => a.publicId === params.authenticator_id)
    ) {
      throw new InvalidRequest("Unknown authenticator_id.");
    }
    if (!types.includes("otp")) {
      throw new UnsupportedChallengeType(
        `Unsupported challenge type: ${types.join(" ")}. This server supports otp challenges only.`,
      );
    }
    if (active.length === 0) throw new AssociationRequired("User is not enrolled.");
    return jsonResponse(200, { challenge_type: "otp" });
  });
}

/**
 * DELETE /mfa/authenticators/{id}: needs an MFA API access token with `remove:authenticators`. An `mfa_token`
 * is refused: it proves only the password, and removing a factor with it would switch MFA off.
 */
export async function handleDeleteAuthenticator(req: Request, deps: TDeps, id: string): Promise<Response> {
  return answer(async () => {
    const caller = await readCaller(req, deps);
    if (caller.via === "mfa_token") {
      throw new AccessDenied(
        "Removing an authenticator needs an access token for the MFA API with scope remove:authenticators.",
      );
    }
    requireScope(caller, "remove:authenticators");
    // No authenticator has an id the store cannot hold (NUL, a lone surrogate), and asking for one would fail it.
    const isDeleted =
      !isUnstorable(id) &&
      (await deps.db.transaction(async (q) => {
        const deleted = await deleteAuthenticator(q, caller.user.id, id);
        if (deleted) await logApi(q, req, deps, caller, "gd_unenroll", "Device unenrolled");
        return deleted;
      }));
    if (!isDeleted) {
      return jsonResponse(404, { error: "not_found", error_description: "Authenticator not found." });
    }
    return new Response(null, { status: 204 });
  });
}
