import { execFileSync } from "node:child_process";
import { test, expect, type Page } from "@playwright/test";
import { ACCOUNTS, passwordGrant, signIn, WEB_APP, type Account } from "./helpers";

// Edit forms of the dashboard against the started server (tenant from e2e/fixtures): every change is checked
// over HTTP, the way applications see it.
const DATABASE = "Username-Password-Authentication";
const RUN = Date.now().toString(36);

/** An admin of `role` added with the CLI against the server's database, as an operator would. */
function createAdmin(role: string): Account {
  const email = `${role}-${RUN}@e2e.test`;
  const password = `${role}-password-123`;
  execFileSync(
    "node",
    ["bin/portcullis.mjs", "admin", "create", "--email", email, "--role", role, "--password", password],
    {
      env: {
        ...process.env,
        DATABASE_URL: "file:./data/e2e/portcullis.db",
        PORTCULLIS_MASTER_KEY_FILE: "./data/e2e/master.key",
      },
      stdio: "pipe",
    },
  );
  return { email, password };
}

async function noHorizontalOverflow(page: Page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, `horizontal overflow on ${page.url()}`).toBeLessThanOrEqual(0);
}

test("editing an application's grant types decides whether a password grant over HTTP succeeds", async ({
  page,
  request,
}) => {
  await signIn(page, ACCOUNTS.owner);
  await page.goto("/admin/applications");
  await expect(page.getByRole("heading", { name: "Applications", exact: true })).toBeVisible();
  await page.locator("summary", { hasText: "Create application" }).click();
  const name = `Forms Grant App ${RUN}`;
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel(DATABASE).check();
  await page.getByRole("button", { name: "Create", exact: true }).click();
  const clientId = (await page.getByTestId("new-client-id").innerText()).trim();
  const secret = (await page.getByTestId("new-client-secret").innerText()).trim();
  const grant = () => passwordGrant(request, { client_id: clientId, client_secret: secret });
  expect((await grant()).status()).toBe(200);

  await page.getByRole("link", { name: `Edit ${name}` }).click();
  await expect(page.getByRole("heading", { name })).toBeVisible();
  const password = page.getByRole("checkbox", { name: "Password (with realm)" });
  await expect(password).toBeChecked();
  await password.uncheck();
  await page.getByRole("checkbox", { name: "Refresh token" }).check();
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("status")).toHaveText("Saved.");
  const refused = await grant();
  expect(refused.status()).toBe(403);
  expect(await refused.json()).toMatchObject({ error: "unauthorized_client" });

  // A validation error is shown next to its control, and nothing is saved.
  await page.getByLabel("ID token lifetime (seconds)").fill("5");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.locator("#id_token_lifetime-error")).toContainText("60");
  await expect(page.getByLabel("ID token lifetime (seconds)")).toHaveAttribute("aria-invalid", "true");

  await page.reload();
  await expect(page.getByLabel("ID token lifetime (seconds)")).toHaveValue("36000");
  await page.getByRole("checkbox", { name: "Password (with realm)" }).check();
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("status")).toHaveText("Saved.");
  const ok = await grant();
  expect(ok.status()).toBe(200);

  // The change is in Logs with who made it.
  await page.goto("/admin/logs?type=sapi");
  // By role: React streams a long list's rows through hidden <table> segments, which stay behind empty.
  await expect(page.getByRole("table")).toContainText(`update application ${clientId}`);
});

test("a user created in the dashboard gets a new password there and logs in with it over HTTP", async ({
  page,
  request,
}) => {
  const email = `forms.user.${RUN}@example.com`;
  await signIn(page, ACCOUNTS.owner);
  await page.goto("/admin/users");
  await page.locator("summary", { hasText: "Create user" }).click();
  const create = page.getByRole("form", { name: "Create user" });
  await create.getByLabel("Connection").selectOption(DATABASE);
  await create.getByLabel("Email", { exact: true }).fill(email);
  await create.getByLabel("Password (8 to 128 characters)").fill("short");
  await create.getByRole("button", { name: "Create user" }).click();
  await expect(create.locator("#password-error")).toContainText("8 to 128");
  await create.getByLabel("Password (8 to 128 characters)").fill("Initial-Passw0rd-1");
  await create.getByRole("button", { name: "Create user" }).click();
  await expect(page.getByRole("heading", { name: email })).toBeVisible();

  const setPassword = page.getByRole("form", { name: "Set password" });
  await setPassword.getByLabel(/New password/).fill("tiny");
  await setPassword.getByRole("button", { name: "Set password" }).click();
  await expect(setPassword.getByRole("alert")).toContainText("8 to 128");
  await setPassword.getByLabel(/New password/).fill("Second-Passw0rd-2");
  await setPassword.getByRole("button", { name: "Set password" }).click();
  await expect(setPassword.getByRole("status")).toContainText("Password set");

  const login = (password: string) => passwordGrant(request, { username: email, password });
  const ok = await login("Second-Passw0rd-2");
  expect(ok.status()).toBe(200);
  expect(await ok.json()).toHaveProperty("access_token");
  expect((await login("Initial-Passw0rd-1")).status()).toBe(403);
});

test("user_metadata edited in the JSON editor is checked inline and persisted", async ({ page }) => {
  await signIn(page, ACCOUNTS.owner);
  await page.goto("/admin/users?q=e2e.user%40example.com");
  await page.getByRole("link", { name: "e2e.user@example.com" }).click();
  await expect(page.getByRole("heading", { name: "e2e.user@example.com" })).toBeVisible();
  const editor = page.getByRole("textbox", { name: "user_metadata" });
  const save = page.getByRole("button", { name: "Save profile" });

  await editor.fill('{"plan": ');
  await expect(page.locator("#user_metadata-error")).toContainText("Not valid JSON");
  await expect(save).toBeDisabled();
  await editor.fill("[1, 2]");
  await expect(page.locator("#user_metadata-error")).toContainText("Must be a JSON object");
  await expect(save).toBeDisabled();

  await editor.fill(`{"plan": "gold", "run": "${RUN}"}`);
  await expect(page.locator("#user_metadata-error")).toHaveCount(0);
  await save.click();
  await expect(page.getByRole("form", { name: "Profile and metadata" }).getByRole("status")).toHaveText(
    "Saved.",
  );
  await page.reload();
  await expect(page.getByRole("textbox", { name: "user_metadata" })).toContainText(`"run": "${RUN}"`);
});

test("a viewer sees no edit controls, and the admin API refuses the viewer's changes with 403", async ({
  page,
}) => {
  const viewer = createAdmin("viewer");
  await signIn(page, viewer);

  await page.goto("/admin/applications");
  await expect(page.getByText("Create application")).toHaveCount(0);
  await page.getByRole("link", { name: "E2E Web App" }).click();
  await expect(page.getByRole("heading", { name: "E2E Web App" })).toBeVisible();
  await expect(page.getByRole("button")).toHaveText(["Sign out"]);
  await expect(page.locator("form")).toHaveCount(0);

  await page.goto("/admin/connections");
  await page.getByRole("link", { name: DATABASE }).click();
  await expect(page.getByRole("heading", { name: DATABASE })).toBeVisible();
  await expect(page.locator("form")).toHaveCount(0);

  await page.goto("/admin/apis");
  await page.getByRole("link", { name: "E2E API" }).click();
  await expect(page.getByRole("heading", { name: "E2E API" })).toBeVisible();
  await expect(page.locator("form")).toHaveCount(0);

  await page.goto("/admin/users");
  await expect(page.locator("summary", { hasText: "Create user" })).toHaveCount(0);
  await page.getByRole("link", { name: "e2e.user@example.com" }).click();
  await expect(page.getByRole("heading", { name: "e2e.user@example.com" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Save profile" })).toHaveCount(0);
  await expect(page.getByRole("form", { name: "Set password" })).toHaveCount(0);
  await expect(page.getByRole("textbox", { name: "user_metadata" })).toHaveCount(0);
  const userPath = new URL(page.url()).pathname.replace("/admin/users/", "");

  const api = page.request;
  const refusals = [
    await api.patch(`/api/admin/applications/${WEB_APP.client_id}`, { data: { grant_types: [] } }),
    await api.patch(`/api/admin/apis/${encodeURIComponent("https://api.e2e.test/")}`, {
      data: { token_lifetime: 60 },
    }),
    await api.post("/api/admin/users", {
      data: { connection: DATABASE, email: `x-${RUN}@example.com`, password: "Str0ng-enough-pass" },
    }),
    await api.patch(`/api/admin/users/${userPath}`, { data: { user_metadata: { hacked: true } } }),
    await api.patch(`/api/admin/users/${userPath}`, { data: { password: "Str0ng-enough-pass" } }),
    await api.patch("/api/admin/attack-protection/brute-force-protection", { data: { max_attempts: 99 } }),
  ];
  for (const res of refusals) {
    expect(res.status(), res.url()).toBe(403);
    expect(await res.json()).toMatchObject({ error: "forbidden" });
  }
  // The grant still works: nothing changed.
  const grant = await passwordGrant(api);
  expect(grant.status()).toBe(200);
});

test("edit screens fit laptop and tablet widths without horizontal scrolling", async ({ page }) => {
  await signIn(page, ACCOUNTS.owner);
  await page.goto("/admin/connections");
  const connectionPath = await page.getByRole("link", { name: DATABASE }).getAttribute("href");
  await page.goto("/admin/apis");
  const apiPath = await page.getByRole("link", { name: "E2E API" }).getAttribute("href");
  await page.goto("/admin/users?q=e2e.user%40example.com");
  const userPath = await page.getByRole("link", { name: "e2e.user@example.com" }).getAttribute("href");
  const paths = [
    "/admin",
    "/admin/applications",
    `/admin/applications/${WEB_APP.client_id}`,
    "/admin/connections",
    connectionPath!,
    "/admin/apis",
    apiPath!,
    "/admin/users",
    userPath!,
    "/admin/logs",
    "/admin/attack-protection",
    "/admin/mfa",
    "/admin/account",
  ];
  for (const width of [1024, 768]) {
    await page.setViewportSize({ width, height: 900 });
    for (const path of paths) {
      await page.goto(path);
      await expect(page.locator("h1").first()).toBeVisible();
      await noHorizontalOverflow(page);
    }
  }
});

test("a missing record shows a friendly not-found page inside the dashboard", async ({ page }) => {
  await signIn(page, ACCOUNTS.owner);
  await page.goto("/admin/applications/no-such-client");
  await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Dashboard" })).toBeVisible();
});
