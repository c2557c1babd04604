import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDeps, testDatabaseKinds, type TTestDeps } from "../testing/test-deps.ts";
import { seedFixture, type TFixture } from "../testing/fixtures.ts";
import { callToken, passwordParams } from "../testing/token-calls.ts";
import { listLogs } from "../store/logs.ts";
import { handleAssociate } from "../mfa/mfa-api.ts";
import { MFA_GRANT_TYPES } from "../mfa/require-mfa.ts";
import { getMfaSettings, getUserAuthenticators, resetUserMfa, saveMfaSettings } from "./mfa.ts";
import { AdminError } from "./admin-error.ts";
import type { TAdmin } from "./session.ts";
import { updateClient } from "../store/clients.ts";

const security: TAdmin = { id: "adm_sec", email: "sec@example.com", role: "security", totpEnabled: false };
const owner: TAdmin = { id: "adm_own", email: "owner@example.com", role: "owner", totpEnabled: false };

describe.each(testDatabaseKinds())("admin: MFA policy and user MFA reset (%s)", (kind) => {
  let deps: TTestDeps;
  let fx: TFixture;
  beforeAll(async () => {
    deps = await createTestDeps(kind);
    fx = await seedFixture(deps);
    await updateClient(
      deps.db,
      fx.clients.web.clientId,
      { grantTypes: ["password", ...MFA_GRANT_TYPES] },
      deps.clock.now(),
    );
  });
  afterAll(async () => deps.cleanup());

  const login = () => callToken(deps, { params: passwordParams(fx.clients.web, fx.users.alice) });

  it("turning the policy to always makes the next login answer mfa_required; the change is audited", async () => {
    expect(await getMfaSettings(deps, security)).toEqual({ policy: "never", otp: true, recoveryCode: true });
    expect((await login()).status).toBe(200);
    await expect(
      saveMfaSettings(deps, owner, { policy: "sometimes", otp: true, recoveryCode: true }),
    ).rejects.toThrow(AdminError);
    await saveMfaSettings(deps, owner, { policy: "always", otp: true, recoveryCode: true });
    const res = await login();
    expect(res.body.error).toBe("mfa_required");
    const audit = (await listLogs(deps.db, { take: 50 })).find(
      (l) => l.description === "update mfa settings tenant",
    );
    expect(audit?.details).toMatchObject({ before: { policy: "never" }, after: { policy: "always" } });
  });

  it("reset removes the user's authenticators, is audited, and the next login may enrol again", async () => {
    const mfaToken = String((await login()).body.mfa_token);
    const enrol = () =>
      handleAssociate(
        new Request("https://portcullis.test/mfa/associate", {
          method: "POST",
          headers: { authorization: `Bearer ${mfaToken}`, "content-type": "application/json" },
          body: JSON.stringify({ authenticator_types: ["otp"] }),
        }),
        deps,
      );
    expect((await enrol()).status).toBe(200);
    await deps.db.run(`UPDATE "MfaAuthenticator" SET "active" = ?`, [true]);
    expect((await enrol()).status).toBe(403);
    expect((await getUserAuthenticators(deps, security, fx.users.alice.userId)).map((a) => a.type)).toEqual([
      "otp",
      "recovery-code",
    ]);
    expect(await resetUserMfa(deps, security, fx.users.alice.userId)).toBe(2);
    expect(await getUserAuthenticators(deps, security, fx.users.alice.userId)).toEqual([]);
    const audit = (await listLogs(deps.db, { take: 50 })).find(
      (l) => l.description === `reset mfa ${fx.users.alice.userId}`,
    );
    expect(audit?.details).toMatchObject({ actor: { email: security.email }, after: { authenticators: 0 } });
    expect((await enrol()).status).toBe(200);
    await expect(resetUserMfa(deps, security, "auth0|nobody")).rejects.toThrow("No such user.");
  });
});
