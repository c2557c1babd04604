import { describe, expect, it } from "vitest";
import { GRANTS } from "./grants/index.ts";
import {
  FIRST_PARTY_ONLY_GRANT_TYPES,
  KNOWN_GRANT_TYPES,
  MFA_GRANT_GROUP,
  SERVED_GRANT_TYPES,
  defaultGrantTypes,
  isFirstPartyOnlyGrant,
  isKnownGrantType,
  withGrantGroups,
} from "./grant-types.ts";

const REALM = "http://auth0.com/oauth/grant-type/password-realm";
const MFA_OTP = "http://auth0.com/oauth/grant-type/mfa-otp";
const MFA_OOB = "http://auth0.com/oauth/grant-type/mfa-oob";
const MFA_RECOVERY = "http://auth0.com/oauth/grant-type/mfa-recovery-code";

describe("grant-type registry", () => {
  it("the token endpoint serves exactly the grant types the registry marks as served", () => {
    expect([...GRANTS.keys()].sort()).toEqual([...SERVED_GRANT_TYPES].sort());
    expect([...SERVED_GRANT_TYPES].sort()).toEqual(
      ["password", REALM, MFA_OTP, MFA_RECOVERY, "refresh_token", "client_credentials"].sort(),
    );
  });

  it("only first-party clients may hold the password, realm and MFA grants; refresh and stored-only grants are open", () => {
    expect([...FIRST_PARTY_ONLY_GRANT_TYPES].sort()).toEqual(
      ["password", REALM, MFA_OOB, MFA_OTP, MFA_RECOVERY].sort(),
    );
    for (const g of ["refresh_token", "authorization_code", "implicit", "client_credentials"])
      expect(isFirstPartyOnlyGrant(g), g).toBe(false);
  });

  it("knows the grants Auth0 clients carry but Portcullis does not serve, so they are stored, not refused", () => {
    for (const g of ["authorization_code", "implicit", MFA_OOB]) {
      expect(isKnownGrantType(g), g).toBe(true);
      expect(SERVED_GRANT_TYPES, g).not.toContain(g);
    }
    expect(KNOWN_GRANT_TYPES.length).toBe(new Set(KNOWN_GRANT_TYPES).size);
  });

  it("an unknown name, or one inherited from Object.prototype, is not a grant type", () => {
    for (const g of ["telepathy", "", "PASSWORD", "constructor", "__proto__", "toString"]) {
      expect(isKnownGrantType(g), g).toBe(false);
      expect(isFirstPartyOnlyGrant(g), g).toBe(false);
    }
  });

  it("a client created without a list gets Auth0's defaults, never the password grant", () => {
    expect(defaultGrantTypes(true)).toEqual(["implicit", "authorization_code", "refresh_token"]);
    expect(defaultGrantTypes(false)).toEqual([
      "implicit",
      "authorization_code",
      "refresh_token",
      "client_credentials",
    ]);
    for (const isPublic of [true, false])
      expect(defaultGrantTypes(isPublic).some((g) => isFirstPartyOnlyGrant(g))).toBe(false);
  });

  it("the dashboard toggles: password brings the realm grant, any MFA grant the whole MFA group; nothing else is added", () => {
    expect(withGrantGroups(["password"])).toEqual(["password", REALM]);
    expect(withGrantGroups([MFA_RECOVERY]).sort()).toEqual([...MFA_GRANT_GROUP].sort());
    expect(withGrantGroups([REALM, "refresh_token"])).toEqual([REALM, "refresh_token"]);
    expect(withGrantGroups(["password", "password"])).toEqual(["password", REALM]);
  });
});
