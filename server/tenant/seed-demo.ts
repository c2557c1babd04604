import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { TDeps } from "../config/deps.ts";
import { listClients } from "../store/clients.ts";
import { listConnections } from "../store/connections.ts";
import { claimDemoSeed, getTenant, releaseDemoSeed } from "../store/tenant.ts";
import { importTenant, type TTenantImportReport } from "./import-tenant.ts";
import { importUsers } from "./import-users.ts";

/** The password of every demo user (the hashes in demo/users*.json are of this). */
export const DEMO_PASSWORD = "Portcullis-Demo-1";
export const DEMO_SAMPLE_USER = "alice@example.com";

/** Demo user files and the connection each one goes into. */
const DEMO_USER_FILES = [
  { file: "users.json", connection: "Username-Password-Authentication" },
  { file: "users-employees.json", connection: "Employees" },
  { file: "users-customers.json", connection: "Customers" },
] as const;

export type TDemoSeedReport = {
  tenantReport: TTenantImportReport;
  users: { connection: string; imported: number }[];
  demoPassword: string;
  sampleUser: string;
};

/**
 * Seed the demo tenant (demo/tenant.yaml and the demo users) on the first start of an empty database. Returns null
 * when the tenant was already seeded, when another process is seeding it, or when the database already holds
 * clients or connections (someone configured it before the first start; demo apps would be unwelcome there).
 */
export async function seedDemoTenant(deps: TDeps, demoDir: string): Promise<TDemoSeedReport | null> {
  if ((await getTenant(deps.db)).seededAt) return null;
  const at = deps.clock.now();
  // Several servers may start together on one database; exactly one of them seeds.
  if (!(await claimDemoSeed(deps.db, at))) return null;
  const [clients, connections] = await Promise.all([listClients(deps.db), listConnections(deps.db)]);
  if (clients.length > 0 || connections.length > 0) return null;
  try {
    // Read everything before the first write, so a missing file changes nothing.
    const tenantYaml = await readFile(join(demoDir, "tenant.yaml"), "utf8");
    const userFiles = await Promise.all(
      DEMO_USER_FILES.map(async (f) => ({ ...f, text: await readFile(join(demoDir, f.file), "utf8") })),
    );
    const tenantReport = await importTenant(deps, tenantYaml);
    const users: TDemoSeedReport["users"] = [];
    for (const f of userFiles) {
      const result = await importUsers(deps, f.connection, f.text);
      if (result.errors.length > 0) {
        const reasons = result.errors.map((e) => `record ${e.index}: ${e.reason}`).join("; ");
        throw new Error(`Demo users in ${f.file} could not be imported: ${reasons}`);
      }
      users.push({ connection: f.connection, imported: result.imported });
    }
    return { tenantReport, users, demoPassword: DEMO_PASSWORD, sampleUser: DEMO_SAMPLE_USER };
  } catch (err) {
    // Let the next start try again rather than leave a tenant marked seeded with nothing in it.
    await releaseDemoSeed(deps.db, at, deps.clock.now());
    throw err;
  }
}
