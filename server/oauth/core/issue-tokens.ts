import { randomBytes, randomUUID } from "node:crypto";
import type { TDeps } from "../../config/deps.ts";
import type { TClientRecord } from "../../store/clients.ts";
import type { TUserRecord } from "../../store/users.ts";
import type { TResourceServerRecord } from "../../store/resource-servers.ts";
import { insertRefreshToken } from "../../store/refresh-tokens.ts";
import type { TSqlWriter } from "../../store/raw-sql.ts";
import { accessTokenAudience } from "../../auth/scopes.ts";
import { signAccessToken, signIdToken } from "../../auth/tokens.ts";
import { sha256Hex } from "../../crypto/digest.ts";
import type { TTokenResponse } from "./grant-context.ts";

export const DEFAULT_ACCESS_TOKEN_LIFETIME = 86400;

export type TIssueInput = {
  deps: TDeps;
  client: TClientRecord;
  /** The user the tokens are for; null for a client's own token (client_credentials: `sub` is `<client_id>@clients`,
   * no ID token, no refresh token). */
  user: TUserRecord | null;
  api: TResourceServerRecord | null;
  scope: string[];
  gty: string;
  now: Date;
  /** Issue a refresh token: a new family, or the next token of an existing family. */
  refresh?: { familyId?: string; expiresAt?: Date; scope?: string[] } | null;
  /** Custom claims added by rules (reserved claims were already dropped; the signers' own claims still win). */
  claims?: { idToken: Record<string, unknown>; accessToken: Record<string, unknown> };
};

export type TIssued = {
  body: TTokenResponse;
  /** Writes the refresh token row; call inside the login's transaction or batch. */
  persist(q: TSqlWriter): Promise<void>;
};

/** Sign the tokens of a successful grant. CPU work happens here, outside any database transaction. */
export async function issueTokens(input: TIssueInput): Promise<TIssued> {
  const { deps, client, user, api, scope, now } = input;
  const issuer = deps.env.issuer;
  const lifetime = api?.tokenLifetime ?? DEFAULT_ACCESS_TOKEN_LIFETIME;
  const apiSecret =
    api?.signingAlg === "HS256" && api.signingSecretEnc
      ? deps.box.open("api-signing-secret", api.signingSecretEnc)
      : undefined;
  // Both RS256 signatures run on the thread pool at the same time (see jws.ts).
  const accessToken = signAccessToken(deps.keys, {
    issuer,
    subject: user ? user.userId : `${client.clientId}@clients`,
    audience: accessTokenAudience(issuer, api, scope),
    clientId: client.clientId,
    scope,
    gty: input.gty,
    lifetimeSeconds: lifetime,
    now,
    hs256Secret: apiSecret,
    extraClaims: input.claims?.accessToken,
  });
  let idToken: Promise<string> | undefined;
  if (user && scope.includes("openid")) {
    // Public clients have no secret to sign with, so they always get RS256 (contract §1.5).
    const hs =
      client.idTokenAlg === "HS256" && client.clientSecretEnc
        ? deps.box.open("client-secret", client.clientSecretEnc)
        : undefined;
    idToken = signIdToken(deps.keys, {
      issuer,
      user,
      clientId: client.clientId,
      scope,
      lifetimeSeconds: client.idTokenLifetime,
      now,
      hs256Secret: hs,
      extraClaims: input.claims?.idToken,
    });
  }
  const [access_token, id_token] = await Promise.all([accessToken, idToken]);
  const body: TTokenResponse = {
    access_token,
    scope: scope.join(" "),
    expires_in: lifetime,
    token_type: "Bearer",
  };
  if (id_token !== undefined) body.id_token = id_token;
  let persist: TIssued["persist"] = async () => undefined;
  // A rotated refresh token carries the scope of the family, not the (possibly narrowed) access token scope.
  const refreshScope = input.refresh?.scope ?? scope;
  if (user && input.refresh && refreshScope.includes("offline_access")) {
    const token = randomBytes(32).toString("base64url");
    const familyId = input.refresh.familyId ?? randomUUID();
    const expiresAt = input.refresh.expiresAt ?? new Date(now.getTime() + client.refreshTokenLifetime * 1000);
    const idle = new Date(now.getTime() + client.refreshIdleLifetime * 1000);
    body.refresh_token = token;
    persist = (q) =>
      insertRefreshToken(q, {
        id: randomUUID(),
        tokenHash: sha256Hex(token),
        familyId,
        clientId: client.id,
        userId: user.id,
        audience: api?.identifier ?? null,
        scope: refreshScope.join(" "),
        createdAt: now,
        expiresAt,
        idleExpiresAt: idle < expiresAt ? idle : expiresAt,
      });
  }
  return { body, persist };
}
