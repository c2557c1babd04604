import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { generate } from "otplib";
import { testDatabaseKinds } from "../testing/test-deps.ts";
import { useSeededDeps } from "../testing/use-deps.ts";
import { createFixtureUser, type TFixtureUser } from "../testing/fixtures.ts";
import { callToken, passwordParams } from "../testing/token-calls.ts";
import { str } from "../testing/token-checks.ts";
import { countLogRows } from "../testing/stored-rows.ts";
import {
  assertOAuthAnswer,
  fuzzRuns,
  junkObject,
  junkString,
  noteOutcome,
  printOutcomes,
  readAnswer,
  uniqueIp,
  type TAnswer,
} from "../testing/fuzz.ts";
import { CLIENT_IP_HEADER } from "../oauth/core/request.ts";
import { handleTokenRequest } from "../oauth/token-endpoint.ts";
import { handleUserinfo } from "../oauth/userinfo.ts";
import { upsertResourceServer } from "../store/resource-servers.ts";
import { updateTenant } from "../store/tenant.ts";
import { MFA_GRANT_TYPES, MFA_OOB, MFA_OTP, MFA_RECOVERY_CODE } from "./require-mfa.ts";
import { normalizeRecoveryCode } from "./recovery-codes.ts";
import {
  handleAssociate,
  handleChallenge,
  handleDeleteAuthenticator,
  handleListAuthenticators,
  mfaApiAudience,
} from "./mfa-api.ts";
import { updateClient } from "../store/clients.ts";

// Property-based tests of the MFA API (/mfa/authenticators, /mfa/associate, /mfa/challenge), /userinfo and the MFA
// grants: random and mutated Authorization headers and bodies never make them fail (5xx), every refusal is an
// OAuth error body with nothing else in it, and data or tokens come back only for a valid token (or, for the
// grants, a valid mfa_token, client and code).

const TARGETS = ["list", "associate", "challenge", "delete", "userinfo-get", "userinfo-post"] as const;
type TTarget = (typeof TARGETS)[number];

const BODY_KEYS = [
  "authenticator_types",
  "client_id",
  "client_secret",
  "mfa_token",
  "challenge_type",
  "authenticator_id",
  "access_token",
  "oob_channels",
  "__proto__",
];

/** What an HTTP header can carry at all (no CR, LF, NUL, nothing past Latin-1). */
function headerValue(v: string): string {
  return v.replace(/[^\t\x20-\x7e\x80-\xff]/g, "");
}

/** Ways an attacker would spoil a token: one character changed, cut, extended, re-cased, reordered. */
function spoilers(): fc.Arbitrary<(token: string) => string> {
  return fc.oneof(
    fc.tuple(fc.nat(), fc.constantFrom("A", "0", ".", "-", "_", "=")).map(([i, c]) => (t: string) => {
      const at = i % Math.max(1, t.length);
      return t.slice(0, at) + (t[at] === c ? "B" : c) + t.slice(at + 1);
    }),
    fc.nat().map((n) => (t: string) => t.slice(0, n % Math.max(1, t.length))),
    junkString().map((j) => (t: string) => t + j),
    fc.constantFrom(
      (t: string) => t.toUpperCase(),
      (t: string) => t.split(".").reverse().join("."),
      (t: string) => `v1.${t}`,
      (t: string) => t.replace(/\.[^.]*$/, "."),
    ),
  );
}

function spoiled(token: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.tuple(token, spoilers()).map(([t, f]) => f(t));
}

/** Whether `a` opens as the sealed token `b`: only the very spelling seal() wrote does (secret-box.ts). */
function isSameSealed(a: string, b: string): boolean {
  return a === b;
}

describe.each(testDatabaseKinds())("MFA API, /userinfo and MFA grants under fuzzing (%s)", (kind) => {
  const t = useSeededDeps(kind);
  /** Valid credentials, by what they open. */
  const valid = { mfaTokens: [] as string[], mfaApiTokens: [] as string[], userinfoTokens: [] as string[] };
  let enrolled: TFixtureUser;
  let otpSecret: string;
  let recoveryCode: string;
  /** mfa_tokens for the MFA-grant property (enrolled user). */
  let grantMfaToken: string;
  let grantMfaTokenAt: number;

  const login = (user: TFixtureUser, extra: Record<string, string> = {}) =>
    callToken(t.deps, { params: passwordParams(t.fx.clients.web, user, extra), socketIp: uniqueIp() });
  const totp = (offsetS = 0) =>
    generate({ secret: otpSecret, epoch: Math.floor(t.deps.clock.now().getTime() / 1000) + offsetS });

  async function otpGrant(mfaToken: string, otp: string) {
    const web = t.fx.clients.web;
    return callToken(t.deps, {
      params: {
        grant_type: MFA_OTP,
        client_id: web.clientId,
        client_secret: web.secret,
        mfa_token: mfaToken,
        otp,
      },
      socketIp: uniqueIp(),
    });
  }

  beforeAll(async () => {
    const { deps, fx } = t;
    await updateClient(
      deps.db,
      fx.clients.web.clientId,
      {
        grantTypes: ["password", "refresh_token", ...MFA_GRANT_TYPES],
      },
      deps.clock.now(),
    );
    await upsertResourceServer(
      deps.db,
      {
        identifier: mfaApiAudience(deps),
        name: "MFA API",
        scopes: ["read:authenticators", "remove:authenticators", "enroll"].map((value) => ({ value })),
        signingAlg: "RS256",
        allowOfflineAccess: false,
      },
      deps.clock.now(),
    );
    await updateTenant(deps.db, { mfaPolicy: "always" }, deps.clock.now());
    deps.config.clear();

    // An enrolled user: associate with the first mfa_token, confirm with a code.
    enrolled = await createFixtureUser(deps, fx, {
      connection: "database",
      password: "enrolled-user-password-1",
    });
    const first = str((await login(enrolled)).body.mfa_token);
    const assoc = await readAnswer(
      await handleAssociate(
        new Request("https://portcullis.test/mfa/associate", {
          method: "POST",
          headers: { authorization: `Bearer ${first}`, "content-type": "application/json" },
          body: JSON.stringify({ authenticator_types: ["otp"] }),
        }),
        deps,
      ),
    );
    expect(assoc.status).toBe(200);
    const enrolment = assoc.body as { secret: string; recovery_codes: string[] };
    otpSecret = enrolment.secret;
    recoveryCode = enrolment.recovery_codes[0]!;
    const confirmed = await otpGrant(first, await totp());
    expect(confirmed.status).toBe(200);
    valid.userinfoTokens.push(str(confirmed.body.access_token));

    // An access token for the MFA API (it lists, enrols and removes) that also opens /userinfo.
    const forApi = str(
      (
        await login(enrolled, {
          audience: mfaApiAudience(deps),
          scope: "openid read:authenticators enroll remove:authenticators",
        })
      ).body.mfa_token,
    );
    deps.clock.advance(30_000);
    const apiToken = await otpGrant(forApi, await totp());
    expect(apiToken.status).toBe(200);
    valid.mfaApiTokens.push(str(apiToken.body.access_token));
    valid.userinfoTokens.push(str(apiToken.body.access_token));

    // mfa_tokens: the enrolled user's, and one of a user who has not enrolled yet (it may associate).
    const fresh = await createFixtureUser(deps, fx, {
      connection: "database",
      password: "fresh-user-password-2",
    });
    grantMfaToken = str((await login(enrolled)).body.mfa_token);
    grantMfaTokenAt = deps.clock.now().getTime();
    valid.mfaTokens.push(first, forApi, grantMfaToken, str((await login(fresh)).body.mfa_token));
  });
  afterAll(printOutcomes);

  const anyValid = () => fc.constantFrom(...valid.mfaTokens, ...valid.mfaApiTokens, ...valid.userinfoTokens);
  const tokenLike = () =>
    fc.oneof(
      { weight: 2, arbitrary: anyValid() },
      { weight: 3, arbitrary: spoiled(anyValid()) },
      junkString(),
    );

  function toRequest(
    target: TTarget,
    a: { authorization: string | null; contentType: string | null; body: string },
  ) {
    const headers = new Headers({ [CLIENT_IP_HEADER]: uniqueIp(), "user-agent": "fuzz/1.0" });
    if (a.authorization !== null) headers.set("authorization", headerValue(a.authorization));
    if (a.contentType !== null) headers.set("content-type", headerValue(a.contentType));
    const path = { list: "/mfa/authenticators", associate: "/mfa/associate", challenge: "/mfa/challenge" }[
      target as "list"
    ];
    const method =
      target === "list" || target === "userinfo-get" ? "GET" : target === "delete" ? "DELETE" : "POST";
    return new Request(`https://portcullis.test${path ?? "/userinfo"}`, {
      method,
      headers,
      ...(method === "POST" ? { body: a.body } : {}),
    });
  }

  function call(target: TTarget, req: Request, id: string): Promise<Response> {
    switch (target) {
      case "list":
        return handleListAuthenticators(req, t.deps);
      case "associate":
        return handleAssociate(req, t.deps);
      case "challenge":
        return handleChallenge(req, t.deps);
      case "delete":
        return handleDeleteAuthenticator(req, t.deps, id);
      default:
        return handleUserinfo(req, t.deps);
    }
  }

  /** The rows a call of the MFA API may write: authenticators and audit records. */
  async function mfaState() {
    const rows = async (read: () => Promise<unknown[]>) =>
      (await read()).map((r) => JSON.stringify(r)).sort();
    return {
      authenticators: await rows(() => t.deps.db.all(`SELECT * FROM "MfaAuthenticator"`)),
      logs: await countLogRows(t.deps),
    };
  }

  /** Whether a 2xx is possible: the request carries a credential that opens this endpoint. */
  function mayAnswer(target: TTarget, req: Request, body: string): boolean {
    const header = req.headers.get("authorization");
    const bearer = header && /^bearer /i.test(header) ? header.slice(7).trim() : null;
    const isMfaToken = (v: string) => valid.mfaTokens.some((m) => isSameSealed(v, m));
    if (target === "list" || target === "associate")
      return bearer !== null && (isMfaToken(bearer) || valid.mfaApiTokens.includes(bearer));
    // Only an MFA API access token may remove (never an mfa_token); our random ids name no authenticator anyway.
    if (target === "delete") return bearer !== null && valid.mfaApiTokens.includes(bearer);
    if (target === "challenge") {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        parsed = Object.fromEntries(new URLSearchParams(body));
      }
      const token = (parsed as { mfa_token?: unknown } | null)?.mfa_token;
      return typeof token === "string" && isMfaToken(token);
    }
    if (bearer !== null) return valid.userinfoTokens.includes(bearer);
    const form = target === "userinfo-post" ? new URLSearchParams(body).get("access_token") : null;
    return form !== null && valid.userinfoTokens.includes(form);
  }

  function check(target: TTarget, answer: TAnswer, allowed: boolean, what: string): void {
    noteOutcome(`${target} ${answer.status} ${(answer.body as { error?: string } | null)?.error ?? ""}`);
    assertOAuthAnswer(answer, what);
    if (answer.status >= 400) {
      const keys = Object.keys(answer.body as object).sort();
      if (keys.join() !== "error,error_description")
        throw new Error(`${what}: refusal carries ${keys.join()} (${answer.text.slice(0, 200)})`);
    } else if (!allowed) {
      throw new Error(
        `${what}: answered ${answer.status} without a valid token (${answer.text.slice(0, 200)})`,
      );
    }
  }

  it("random and spoiled tokens and bodies: no 5xx, OAuth refusals, data only for a valid token", async () => {
    const web = t.fx.clients.web;
    const body = fc.oneof(
      junkString(),
      junkObject(BODY_KEYS).map((o) => JSON.stringify(o)),
      {
        weight: 4,
        arbitrary: fc
          .record(
            {
              authenticator_types: fc.oneof(
                fc.constant(["otp"]),
                fc.constant("otp"),
                fc.constant(["oob"]),
                junkObject(),
              ),
              client_id: fc.oneof(
                fc.constant(web.clientId),
                fc.constant(t.fx.clients.spa.clientId),
                junkString(),
              ),
              client_secret: fc.oneof(fc.constant(web.secret), junkString()),
              mfa_token: tokenLike(),
              challenge_type: fc.oneof(
                fc.constantFrom("otp", "oob", "otp oob", ""),
                fc.array(junkString(), { maxLength: 3 }),
              ),
              authenticator_id: fc.oneof(fc.constant("totp|dev_x"), junkString()),
            },
            { requiredKeys: [] },
          )
          .map((o) => JSON.stringify(o)),
      },
      fc.record({ access_token: tokenLike() }).map((o) => new URLSearchParams(o).toString()),
    );
    const authorization = fc.oneof(
      fc.constant(null),
      { weight: 3, arbitrary: tokenLike().map((tok) => `Bearer ${tok}`) },
      tokenLike().map((tok) => `bearer   ${tok}  `),
      junkString(),
      fc.constantFrom("Bearer", "Bearer ", "Basic Og==", "Bearer v1.", "Bearer v1...."),
    );
    const contentType = fc.oneof(
      { weight: 4, arbitrary: fc.constant("application/json") },
      fc.constantFrom(
        "application/json",
        "application/x-www-form-urlencoded",
        "text/plain",
        "application/json; charset=utf-8",
      ),
      fc.constant(null),
      junkString(),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...TARGETS),
        authorization,
        contentType,
        body,
        fc.oneof(junkString(), fc.constantFrom("totp|dev_x", "\u0000", "totp|\ud800")),
        async (target, auth, ct, b, id) => {
          const req = toRequest(target, { authorization: auth, contentType: ct, body: b });
          const allowed = mayAnswer(target, req, b);
          const before = await mfaState();
          const answer = await readAnswer(await call(target, req, id));
          const what = `${target} ${JSON.stringify({ auth, ct, b: b.slice(0, 300), id }).slice(0, 1200)}`;
          check(target, answer, allowed, what);
          // A refusal leaves the authenticators and the audit log as they were.
          if (answer.status >= 400 && JSON.stringify(await mfaState()) !== JSON.stringify(before)) {
            throw new Error(`${what}: refused with ${answer.status} but changed authenticators or the log`);
          }
        },
      ),
      fuzzRuns(300),
    );
  }, 180_000);

  it("MFA grants with spoiled mfa_tokens, clients and codes: no 5xx, tokens only for the right code", async () => {
    const web = t.fx.clients.web;
    const grant = fc.constantFrom(MFA_OTP, MFA_RECOVERY_CODE, MFA_OOB);
    await fc.assert(
      fc.asyncProperty(
        grant,
        // The live mfa_token is read when the run starts (it is renewed before it expires): as it is, spoiled, other.
        fc.oneof(
          { weight: 3, arbitrary: fc.constant((live: string) => live) },
          spoilers(),
          tokenLike().map((other) => () => other),
        ),
        fc.oneof({ weight: 3, arbitrary: fc.constant("right") }, junkString()),
        fc.oneof(
          { weight: 3, arbitrary: fc.constant("right") },
          junkString(),
          fc.constantFrom("000000", "123456", " 12345 6"),
        ),
        fc.array(
          fc.tuple(
            fc.constantFrom("otp", "recovery_code", "oob_code", "binding_code", "mfa_token"),
            junkString(),
          ),
          {
            maxLength: 2,
          },
        ),
        async (grantType, pickToken, secretChoice, codeChoice, extra) => {
          if (t.deps.clock.now().getTime() - grantMfaTokenAt > 8 * 60_000) {
            grantMfaToken = str((await login(enrolled)).body.mfa_token);
            grantMfaTokenAt = t.deps.clock.now().getTime();
            valid.mfaTokens.push(grantMfaToken);
          }
          const mfaToken = pickToken(grantMfaToken);
          const code =
            codeChoice !== "right"
              ? codeChoice
              : grantType === MFA_RECOVERY_CODE
                ? recoveryCode
                : await totp();
          const secret = secretChoice === "right" ? web.secret : secretChoice;
          const params: [string, string][] = [
            ["grant_type", grantType],
            ["client_id", web.clientId],
            ["client_secret", secret],
            ["mfa_token", mfaToken],
            [grantType === MFA_RECOVERY_CODE ? "recovery_code" : "otp", code],
            ...extra,
          ];
          const req = new Request("https://portcullis.test/oauth/token", {
            method: "POST",
            headers: { "content-type": "application/x-www-form-urlencoded", [CLIENT_IP_HEADER]: uniqueIp() },
            body: new URLSearchParams(params).toString(),
          });
          const keys = params.map(([k]) => k);
          const isUnique = new Set(keys).size === keys.length;
          const codes = [await totp(-30), await totp(), await totp(30)];
          const isRightCode =
            grantType === MFA_RECOVERY_CODE
              ? normalizeRecoveryCode(code) === normalizeRecoveryCode(recoveryCode)
              : grantType === MFA_OTP && codes.includes(code.trim());
          const allowed =
            isUnique && isSameSealed(mfaToken, grantMfaToken) && secret === web.secret && isRightCode;
          const throttleBefore = JSON.stringify(
            await t.deps.db.all(`SELECT * FROM "MfaThrottle" ORDER BY "userId"`),
          );
          const answer = await readAnswer(await handleTokenRequest(req, t.deps));
          // Without the live mfa_token and the client's secret nobody may spend the user's wrong-code attempts
          // (that would lock the user's second factor out).
          const isHolder = valid.mfaTokens.some((m) => isSameSealed(mfaToken, m)) && secret === web.secret;
          if (
            !isHolder &&
            JSON.stringify(await t.deps.db.all(`SELECT * FROM "MfaThrottle" ORDER BY "userId"`)) !==
              throttleBefore
          ) {
            throw new Error(
              `grant ${JSON.stringify(params).slice(0, 600)}: spent a wrong-code attempt without the mfa_token`,
            );
          }
          noteOutcome(
            `grant ${grantType.split("/").at(-1)} ${answer.status} ${(answer.body as { error?: string }).error ?? ""}`,
          );
          const what = `grant ${JSON.stringify(params).slice(0, 1000)}`;
          assertOAuthAnswer(answer, what);
          if (answer.status === 200) {
            if (!allowed)
              throw new Error(`${what}: issued tokens without a valid mfa_token, client and code`);
            const next = (answer.body as { recovery_code?: string }).recovery_code;
            if (grantType === MFA_RECOVERY_CODE) recoveryCode = str(next);
          }
          // A new TOTP step for the next run, so a right code can succeed again (the last one is spent).
          t.deps.clock.advance(31_000);
        },
      ),
      fuzzRuns(150),
    );
  }, 180_000);
});
