import { InvalidGrant, InvalidRequest, InvalidScope } from "../core/errors.ts";
import { runLoginFlow } from "../../actions/run-login-flow.ts";
import { applyMetadataPatch, findUserById } from "../../store/users.ts";
import { insertLog } from "../../store/logs.ts";
import {
  claimRefreshToken,
  findRefreshToken,
  revokeRefreshFamily,
  touchRefreshToken,
} from "../../store/refresh-tokens.ts";
import { sha256Hex } from "../../crypto/digest.ts";
import { issueTokens } from "../core/issue-tokens.ts";
import type { TGrant } from "../core/grant-context.ts";
import { REFRESH_TOKEN } from "../grant-types.ts";

const INVALID = "Unknown or invalid refresh token.";

/** The refresh_token grant with rotation and reuse detection (reuse revokes the whole family). */
export const refreshTokenGrant: TGrant = {
  grantTypes: [REFRESH_TOKEN],
  params: ["refresh_token", "scope"],
  secretParams: ["refresh_token"],
  failureLogType: "fertft",
  async handle(ctx) {
    const { params, deps, client, now } = ctx;
    const presented = params.refresh_token;
    if (!presented) throw new InvalidRequest("Missing required parameter: refresh_token");
    const token = await findRefreshToken(deps.db, sha256Hex(presented));
    if (!token || token.clientId !== client.id) throw new InvalidGrant(INVALID);
    ctx.audit.details = { family_id: token.familyId };
    if (token.revokedAt) throw new InvalidGrant(INVALID);
    if (token.expiresAt <= now || token.idleExpiresAt <= now) throw new InvalidGrant(INVALID);

    const rotating = client.refreshRotationType === "rotating";
    if (rotating && token.rotatedAt) {
      // Leeway 0 means none: a reuse in the same millisecond as the rotation is still reuse.
      const withinLeeway =
        client.refreshLeeway > 0 && now.getTime() - token.rotatedAt.getTime() <= client.refreshLeeway * 1000;
      if (!withinLeeway) {
        // A rotated token came back: someone holds a copy. Kill the family so the thief's copy dies too.
        const revoked = await revokeRefreshFamily(deps.db, token.familyId, now);
        ctx.audit.details = { family_id: token.familyId, reuse_detected: true, revoked };
        throw new InvalidGrant(INVALID);
      }
    }

    const user = await findUserById(deps.db, token.userId);
    if (!user) throw new InvalidGrant(INVALID);
    ctx.audit.user_id = user.userId;
    ctx.audit.user_name = user.email ?? user.username ?? undefined;
    if (user.blocked) throw new InvalidGrant("user is blocked");

    const original = token.scope.split(" ").filter(Boolean);
    let scope = original;
    if (params.scope) {
      const asked = params.scope.split(" ").filter(Boolean);
      const extra = asked.filter((s) => !original.includes(s));
      if (extra.length > 0)
        throw new InvalidScope(`The requested scope exceeds the granted scope: ${extra.join(" ")}`);
      scope = asked;
    }
    const api = token.audience ? await deps.config.resourceServer(token.audience) : null;
    if (token.audience && !api) throw new InvalidGrant(INVALID);
    ctx.audit.audience = token.audience ?? undefined;
    ctx.audit.scope = scope.join(" ");

    const connection = await deps.config.connectionById(user.connectionId);
    if (!connection) throw new InvalidGrant(INVALID);
    // Rules run for refresh exchanges too (contract §3.1), with protocol oauth2-refresh-token.
    const ruled = await runLoginFlow({
      ctx,
      user,
      connection,
      protocol: "oauth2-refresh-token",
      scope,
      loginsCount: user.loginsCount,
      authenticatedAt: token.createdAt,
      audience: token.audience ?? null,
    });

    // The family keeps its absolute expiry and, per RFC 6749 §6, its original scope: narrowing applies to the
    // access token only, so a narrowed refresh neither shrinks nor ends the session.
    const issued = await issueTokens({
      deps,
      client,
      user,
      api,
      scope: ruled.scope,
      gty: REFRESH_TOKEN,
      now,
      refresh: rotating ? { familyId: token.familyId, expiresAt: token.expiresAt, scope: original } : null,
      claims: { idToken: ruled.idTokenClaims, accessToken: ruled.accessTokenClaims },
    });
    let isLostRace = false;
    await deps.db.transaction(async (q) => {
      if (rotating && !token.rotatedAt) {
        // Exactly one concurrent exchange of this token wins; the loser is reuse unless a leeway is configured.
        if (!(await claimRefreshToken(q, token.id, now)) && client.refreshLeeway === 0) {
          isLostRace = true;
          return;
        }
      } else if (!rotating) {
        await touchRefreshToken(
          q,
          token.id,
          new Date(Math.min(token.expiresAt.getTime(), now.getTime() + client.refreshIdleLifetime * 1000)),
        );
      }
      await applyMetadataPatch(q, user.id, ruled.metadata, now);
      await issued.persist(q);
      await insertLog(
        q,
        {
          type: "sertft",
          description: "",
          client_id: client.clientId,
          client_name: client.name,
          user_id: user.userId,
          user_name: ctx.audit.user_name,
          audience: ctx.audit.audience,
          scope: ctx.audit.scope,
          ip: ctx.ip,
          client_ip: ctx.clientIp,
          user_agent: ctx.userAgent,
          hostname: ctx.hostname,
          details: { ...ctx.audit.details, family_id: token.familyId },
        },
        now,
      );
    });
    if (isLostRace) {
      const revoked = await revokeRefreshFamily(deps.db, token.familyId, now);
      ctx.audit.details = { family_id: token.familyId, reuse_detected: true, revoked };
      throw new InvalidGrant(INVALID);
    }
    return issued.body;
  },
};
