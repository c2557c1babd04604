import { describe, expect, it } from "vitest";
import { GRANTS } from "../grants/index.ts";
import { SECRET_PARAMS, isSecretParam } from "./secret-params.ts";
import { buildRuleContext } from "../../rules/rule-input.ts";
import type { TClientRecord } from "../../store/clients.ts";

describe("secret grant parameters", () => {
  it("every registered grant declares its credentials secret, and only parameters it reads", () => {
    for (const [grantType, grant] of GRANTS) {
      for (const p of grant.secretParams) expect(grant.params, grantType).toContain(p);
      const undeclared = grant.params.filter(
        (p) => SECRET_PARAMS.includes(p) && !grant.secretParams.includes(p),
      );
      expect(undeclared, grantType).toEqual([]);
    }
  });

  it("rules get the request body without the shared secrets or the ones the grant declares", () => {
    const params = {
      username: "ann",
      password: "pw",
      otp: "123456",
      binding_code: "b",
      pin: "4321",
      scope: "s",
    };
    const context = buildRuleContext({
      tenant: "Acme",
      client: { clientId: "cid", name: "App", clientMetadata: {} } as unknown as TClientRecord,
      connection: { connectionId: "con_1", name: "db", strategy: "auth0" },
      protocol: "oauth2-password",
      grantType: "urn:example:pin",
      params,
      secretParams: ["pin"],
      ip: undefined,
      userAgent: undefined,
      hostname: undefined,
      query: "pin=9999&password=pw&client_secret=cs&ui_locales=fr&x=1&x=2&__proto__=p",
      loginsCount: 1,
      sessionID: "sid",
      authenticatedAt: new Date(0),
    });
    expect((context.request as { body: unknown }).body).toEqual({
      grant_type: "urn:example:pin",
      client_id: "cid",
      username: "ann",
      scope: "s",
    });
    // The URL's query string too: secrets in it never reach a rule; repeated parameters are arrays.
    const query = (context.request as { query: Record<string, unknown> }).query;
    expect(query).toEqual({ ui_locales: "fr", x: ["1", "2"], ["__proto__"]: "p" });
    expect(Object.getPrototypeOf(query)).toBe(Object.prototype);
    expect(isSecretParam("pin", [])).toBe(false);
  });
});
