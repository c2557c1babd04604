import { describe, expect, it } from "vitest";
import { accessTokenAudience, resolveScopes } from "./scopes.ts";
import type { TResourceServerRecord } from "../store/resource-servers.ts";

const api: TResourceServerRecord = {
  id: "1",
  identifier: "https://api.example/",
  name: "API",
  scopes: [{ value: "read:a" }, { value: "write:a" }],
  tokenLifetime: 86400,
  signingAlg: "RS256",
  signingSecretEnc: null,
  allowOfflineAccess: true,
};

describe("resolveScopes (contract §1.4)", () => {
  it("grants every API scope when none is requested", () => {
    expect(resolveScopes({ requested: undefined, api, clientHasRefreshGrant: true })).toEqual([
      "read:a",
      "write:a",
    ]);
  });
  it("grants only the named API scopes and drops unknown ones", () => {
    expect(resolveScopes({ requested: "read:a delete:all", api, clientHasRefreshGrant: true })).toEqual([
      "read:a",
    ]);
  });
  it("openid brings the standard OIDC scopes", () => {
    expect(resolveScopes({ requested: "openid", api: null, clientHasRefreshGrant: true })).toEqual([
      "openid",
      "profile",
      "email",
      "address",
      "phone",
    ]);
  });
  it("offline_access needs the API's permission and the client's refresh grant", () => {
    expect(resolveScopes({ requested: "offline_access", api, clientHasRefreshGrant: true })).toContain(
      "offline_access",
    );
    expect(resolveScopes({ requested: "offline_access", api, clientHasRefreshGrant: false })).not.toContain(
      "offline_access",
    );
    expect(
      resolveScopes({
        requested: "offline_access",
        api: { ...api, allowOfflineAccess: false },
        clientHasRefreshGrant: true,
      }),
    ).not.toContain("offline_access");
    expect(
      resolveScopes({ requested: "offline_access", api: null, clientHasRefreshGrant: true }),
    ).not.toContain("offline_access");
  });
  it("adds the userinfo audience for openid on RS256 APIs only", () => {
    expect(accessTokenAudience("https://t/", api, ["openid"])).toEqual([
      "https://api.example/",
      "https://t/userinfo",
    ]);
    expect(accessTokenAudience("https://t/", api, ["read:a"])).toBe("https://api.example/");
    expect(accessTokenAudience("https://t/", { ...api, signingAlg: "HS256" }, ["openid"])).toBe(
      "https://api.example/",
    );
    expect(accessTokenAudience("https://t/", null, ["openid"])).toBe("https://t/userinfo");
  });
});
