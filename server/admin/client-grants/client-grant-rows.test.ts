import { describe, expect, it } from "vitest";
import { testDatabaseKinds } from "../../testing/test-deps.ts";
import { useSeededDeps } from "../../testing/use-deps.ts";
import { adminOf } from "../../testing/admin-actors.ts";
import { createClientGrant } from "./create-client-grant.ts";
import { getApiClientGrants } from "./get-api-client-grants.ts";
import { getApplicationClientGrants } from "./get-application-client-grants.ts";

describe.each(testDatabaseKinds())("client-grant rows of the API and application screens (%s)", (kind) => {
  const t = useSeededDeps(kind);

  it("lists every confidential application on the API screen and every API on the application screen, with its grant", async () => {
    const viewer = adminOf("viewer");
    const orders = t.fx.apis.orders.identifier;
    const grant = await createClientGrant(t.deps, adminOf("admin"), {
      client_id: t.fx.clients.noPassword.clientId,
      audience: orders,
      scope: ["read:orders"],
    });

    const apiRows = (await getApiClientGrants(t.deps, viewer, orders))!;
    // The public "Acme Mobile" cannot use client_credentials: it is not offered.
    expect(apiRows.map((r) => r.label)).not.toContain(t.fx.clients.spa.name);
    expect(apiRows.map((r) => r.label)).toContain(t.fx.clients.web.name);
    expect(apiRows.find((r) => r.clientId === t.fx.clients.noPassword.clientId)).toEqual({
      label: t.fx.clients.noPassword.name,
      clientId: t.fx.clients.noPassword.clientId,
      audience: orders,
      available: t.fx.apis.orders.scopes,
      grant: { id: grant.id, scope: ["read:orders"] },
      hasGrantType: true,
    });
    expect(apiRows.find((r) => r.clientId === t.fx.clients.web.clientId)).toMatchObject({
      grant: null,
      hasGrantType: false,
    });

    const appRows = (await getApplicationClientGrants(t.deps, viewer, t.fx.clients.noPassword.clientId))!;
    expect(appRows.map((r) => [r.audience, r.grant?.scope ?? null])).toEqual(
      expect.arrayContaining([
        [orders, ["read:orders"]],
        [t.fx.apis.reports.identifier, null],
      ]),
    );
    expect(await getApplicationClientGrants(t.deps, viewer, t.fx.clients.spa.clientId)).toEqual([]);
    expect(await getApplicationClientGrants(t.deps, viewer, "nobody")).toBeNull();
    expect(await getApiClientGrants(t.deps, viewer, "https://nope.test")).toBeNull();
  });
});
