import { describe, expect, it } from "vitest";
import { testDatabaseKinds } from "../testing/test-deps.ts";
import { useSeededDeps } from "../testing/use-deps.ts";
import { adminOf, countAdminChanges } from "../testing/admin-actors.ts";
import { exportTenant } from "./export-tenant.ts";
import { importTenant } from "./import-tenant.ts";
import { createApplication } from "../admin/applications.ts";
import { updateApplication } from "../admin/update-application.ts";
import { createApi, createConnection } from "../admin/directory.ts";
import { AdminError } from "../admin/admin-error.ts";

const owner = adminOf("owner");

/** A client the dashboard would create, in Auth0's field names (the importer reads the same names). */
const GOOD_CLIENT = {
  name: "Shared Rules App",
  app_type: "regular_web",
  is_first_party: true,
  token_endpoint_auth_method: "client_secret_post",
  grant_types: ["password"],
};

type TCase = {
  what: string;
  /** The tenant file (JSON is YAML). */
  file: Record<string, unknown>;
  /** Where the importer reports it. */
  path: string;
  /** The same mistake through the dashboard, and the form field it is reported on. */
  dashboard: (t: ReturnType<typeof useSeededDeps>) => Promise<unknown>;
  field: string;
  /** The message when it is fixed by a shared rule (not zod's own text). */
  message?: string;
};

describe.each(testDatabaseKinds())("one validation for the importer and the dashboard (%s)", (kind) => {
  const t = useSeededDeps(kind);
  const bad = (client: Record<string, unknown>) => ({ clients: [{ ...GOOD_CLIENT, ...client }] });

  const cases: TCase[] = [
    {
      what: "an unknown grant type",
      file: bad({ grant_types: ["password", "telepathy"] }),
      path: "clients[0].grant_types[1]",
      dashboard: (s) =>
        createApplication(s.deps, owner, { ...GOOD_CLIENT, grant_types: ["password", "telepathy"] }),
      field: "grant_types",
      message: 'unknown grant type "telepathy"',
    },
    {
      what: "a third party holding the password grant",
      file: bad({ is_first_party: false }),
      path: "clients[0].grant_types",
      dashboard: (s) => createApplication(s.deps, owner, { ...GOOD_CLIENT, is_first_party: false }),
      field: "grant_types",
      message: "Third-party applications (is_first_party: false) cannot use password",
    },
    {
      what: "a public client trusted with the end-user IP header",
      file: bad({
        app_type: "spa",
        token_endpoint_auth_method: "none",
        is_token_endpoint_ip_header_trusted: true,
      }),
      path: "clients[0].is_token_endpoint_ip_header_trusted",
      dashboard: (s) =>
        createApplication(s.deps, owner, {
          ...GOOD_CLIENT,
          app_type: "spa",
          token_endpoint_auth_method: "none",
          is_token_endpoint_ip_header_trusted: true,
        }),
      field: "is_token_endpoint_ip_header_trusted",
      message:
        "Only applications that authenticate with a secret (token_endpoint_auth_method other than none) may trust the token endpoint IP header",
    },
    {
      what: "an idle refresh lifetime longer than the absolute one",
      file: bad({ refresh_token: { token_lifetime: 3600, idle_token_lifetime: 7200 } }),
      path: "clients[0].refresh_token.idle_token_lifetime",
      dashboard: (s) =>
        updateApplication(s.deps, owner, s.fx.clients.basic.clientId, {
          refresh_token_lifetime: 3600,
          refresh_idle_lifetime: 7200,
        }),
      field: "refresh_idle_lifetime",
      message: "The idle lifetime cannot exceed the refresh token lifetime",
    },
    {
      what: "a name longer than 128 characters",
      file: bad({ name: "x".repeat(129) }),
      path: "clients[0].name",
      dashboard: (s) => createApplication(s.deps, owner, { ...GOOD_CLIENT, name: "x".repeat(129) }),
      field: "name",
    },
    {
      what: "an ID-token lifetime under a minute",
      file: bad({ jwt_configuration: { lifetime_in_seconds: 5 } }),
      path: "clients[0].jwt_configuration.lifetime_in_seconds",
      dashboard: (s) =>
        updateApplication(s.deps, owner, s.fx.clients.basic.clientId, { id_token_lifetime: 5 }),
      field: "id_token_lifetime",
    },
    {
      what: "a connection name with a space",
      file: { databases: [{ name: "Two Words" }] },
      path: "databases[0].name",
      dashboard: (s) => createConnection(s.deps, owner, { name: "Two Words" }),
      field: "name",
    },
    {
      what: "an API token lifetime under a minute",
      file: {
        resourceServers: [{ name: "Short API", identifier: "https://short.test/", token_lifetime: 10 }],
      },
      path: "resourceServers[0].token_lifetime",
      dashboard: (s) =>
        createApi(s.deps, owner, {
          name: "Short API",
          identifier: "https://short.test/",
          token_lifetime: 10,
        }),
      field: "token_lifetime",
    },
  ];

  it.each(cases.map((c) => [c.what, c] as const))(
    "%s is refused by both with the same message, and nothing changes",
    async (_what, c) => {
      const before = await exportTenant(t.deps);
      const audits = await countAdminChanges(t.deps);

      const imported = await importTenant(t.deps, JSON.stringify(c.file)).then(
        () => null,
        (e: unknown) => e as Error,
      );
      const line = imported?.message.split("\n").find((l) => l.startsWith(`  ${c.path}: `));
      expect(line, imported?.message).toBeDefined();
      const message = line!.slice(`  ${c.path}: `.length);
      if (c.message) expect(message).toBe(c.message);

      const refused = await c.dashboard(t).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(AdminError);
      expect((refused as AdminError).fields?.[c.field]).toBe(message);

      expect(await exportTenant(t.deps)).toBe(before);
      expect(await countAdminChanges(t.deps)).toBe(audits);
    },
  );
});
