import { describe, expect, it } from "vitest";
import { decideMfa, hasMfaGrant, MFA_GRANT_TYPES } from "./require-mfa.ts";

describe("decideMfa: the seam between policy, client and rules", () => {
  const client = { grantTypes: ["password", ...MFA_GRANT_TYPES] };
  it("policy always requires MFA whatever the rules say", () => {
    expect(decideMfa({ tenant: { mfaPolicy: "always" }, client })).toEqual({
      isMfaRequired: true,
      reason: "policy",
    });
  });
  it("policy never leaves it to rules: context.multifactor set → required, unset → not", () => {
    expect(decideMfa({ tenant: { mfaPolicy: "never" }, client })).toEqual({ isMfaRequired: false });
    expect(
      decideMfa({ tenant: { mfaPolicy: "never" }, client, rules: { multifactor: { provider: "any" } } }),
    ).toEqual({ isMfaRequired: true, reason: "rule" });
    expect(decideMfa({ tenant: { mfaPolicy: "never" }, client, rules: { multifactor: null } })).toEqual({
      isMfaRequired: false,
    });
  });
  it("the MFA toggle is the mfa-otp grant", () => {
    expect(hasMfaGrant(client)).toBe(true);
    expect(hasMfaGrant({ grantTypes: ["password"] })).toBe(false);
  });
});
