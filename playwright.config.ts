import { defineConfig } from "@playwright/test";
import { ACCOUNTS } from "./e2e/helpers";

const PORT = Number(process.env.E2E_PORT ?? 3100);

export default defineConfig({
  testDir: "e2e",
  timeout: 60_000,
  // One retry absorbs a browser-side stall on a loaded 2-core machine (a streamed section once stayed hidden for
  // 20 s); `npm test` still names every test that needed it ("Failing tests: playwright (flaky) › …").
  retries: 1,
  workers: 1,
  reporter: [["list"], ["json"]],
  use: {
    screenshot: "only-on-failure",
    baseURL: `http://localhost:${PORT}`,
    launchOptions: {
      // Debian's chromium; `npx playwright install` cannot download browsers here.
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  webServer: {
    // A tenant with known credentials, imported through the CLI, then the real server.
    command:
      "node bin/portcullis.mjs import e2e/fixtures/tenant.yaml && " +
      "node bin/portcullis.mjs users import --connection Username-Password-Authentication e2e/fixtures/users.json && " +
      Object.values(ACCOUNTS)
        .map(
          (a) =>
            `node bin/portcullis.mjs admin create --email ${a.email} --role ${a.role} --password ${a.password} && `,
        )
        .join("") +
      "node bin/portcullis.mjs serve",
    url: `http://localhost:${PORT}/.well-known/openid-configuration`,
    timeout: 180_000,
    reuseExistingServer: false,
    env: {
      PORT: String(PORT),
      PUBLIC_URL: `http://localhost:${PORT}`,
      DATABASE_URL: "file:./data/e2e/portcullis.db",
      PORTCULLIS_MASTER_KEY_FILE: "./data/e2e/master.key",
      PORTCULLIS_SEED_DEMO: "false",
    },
  },
});
