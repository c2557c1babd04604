import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDeps, testDatabaseKinds, type TTestDeps } from "../testing/test-deps.ts";
import { createFixtureUser, seedFixture, type TFixture, type TFixtureUser } from "../testing/fixtures.ts";
import { callToken, realmParams } from "../testing/token-calls.ts";
import { RULES_TEST_ENV, tokenClaims } from "../testing/rules.ts";
import { importTenant } from "./import-tenant.ts";

// What an operator notices after `portcullis import`: the imported, deployed and bound action runs in the next
// login with its secret; a draft imported with `deployed: false` does not, until a file deploys it.

const claimCode = (suffix: string) =>
  `exports.onExecutePostLogin = async (event, api) => {\n  api.idToken.setCustomClaim("https://example.com/plan", event.secrets.PLAN + "${suffix}");\n};\n`;

const yaml = (deployed: boolean) => `
actions:
  - name: plan-claim
    code: ./actions/plan-claim/code.js
    deployed: ${deployed}
    secrets:
      - name: PLAN
        value: gold
triggers:
  post-login:
    - action_name: plan-claim
`;

describe.each(testDatabaseKinds())("imported actions in logins (%s)", (kind) => {
  let deps: TTestDeps;
  let fx: TFixture;
  let user: TFixtureUser;
  const dir = mkdtempSync(join(tmpdir(), "portcullis-actions-login-"));

  beforeAll(async () => {
    deps = await createTestDeps(kind, RULES_TEST_ENV);
    fx = await seedFixture(deps);
    user = await createFixtureUser(deps, fx, {
      connection: "employees",
      password: "imported-actions-password-1",
      email: "grace@acme.test",
      username: "grace",
    });
    mkdirSync(join(dir, "actions", "plan-claim"), { recursive: true });
  });
  afterAll(async () => {
    await deps?.cleanup();
  });

  const importWith = async (code: string, deployed: boolean) => {
    writeFileSync(join(dir, "actions", "plan-claim", "code.js"), code);
    return importTenant(deps, yaml(deployed), { baseDir: dir });
  };
  const planClaim = async () => {
    const res = await callToken(deps, {
      params: realmParams(fx.clients.web, user, user.connection, { scope: "openid" }),
    });
    expect(res.status).toBe(200);
    return tokenClaims(res).id["https://example.com/plan"];
  };

  it("runs the deployed code with its secret; a draft import changes nothing until it is deployed", async () => {
    await importWith(claimCode(""), true);
    expect(await planClaim()).toBe("gold");

    // deployed: false with a changed draft: still bound (deployed before), logins keep the deployed version.
    await importWith(claimCode("-v2"), false);
    expect(await planClaim()).toBe("gold");

    await importWith(claimCode("-v2"), true);
    expect(await planClaim()).toBe("gold-v2");
  });
});
