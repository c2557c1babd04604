import { test, expect } from "@playwright/test";
import { ACCOUNTS, passwordGrant, signIn, submitSignIn } from "./helpers";

test("a wrong admin password is refused with a clear message", async ({ page }) => {
  await submitSignIn(page, { ...ACCOUNTS.owner, password: "not-the-password" });
  await expect(page.locator("p[role=alert]")).toHaveText("Wrong email or password.");
  await expect(page).toHaveURL(/\/login/);
});

test("the owner signs in, sees a password grant in Overview and Logs, filters and exports it", async ({
  page,
  request,
}) => {
  const grant = await passwordGrant(request);
  expect(grant.status()).toBe(200);
  const failed = await passwordGrant(request, { password: "wrong" });
  expect(failed.status()).toBe(403);

  await signIn(page, ACCOUNTS.owner);
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  await expect(page.getByTestId("logins-succeeded")).not.toContainText(/^0/);

  await page.getByRole("link", { name: "Logs" }).click();
  await expect(page.getByRole("heading", { name: "Logs" })).toBeVisible();
  await page.getByLabel("Event type").selectOption("fp");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/type=fp/);
  const logTable = page.getByRole("table", { name: /Newest first/ });
  await expect(logTable.locator("tbody tr").first()).toContainText("Wrong email or password.");
  await expect(logTable.locator("tbody")).not.toContainText("sepft");

  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "NDJSON" }).click();
  const file = await download;
  const text = await (await file.createReadStream()).toArray();
  const lines = Buffer.concat(text)
    .toString("utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { type: string });
  expect(lines.length).toBeGreaterThan(0);
  expect(lines.every((l) => l.type === "fp")).toBe(true);

  // The navigation's link (each log row links its application too).
  await page.getByRole("navigation", { name: "Dashboard" }).getByRole("link", { name: "Applications" }).click();
  await expect(page.getByRole("heading", { name: "Applications", exact: true })).toBeVisible();
  await expect(page.getByRole("cell", { name: "E2E Web App", exact: true })).toBeVisible();
});

test("a rules-editor sees neither Logs nor Applications, and the server refuses them too", async ({
  page,
}) => {
  await signIn(page, ACCOUNTS.editor);
  await expect(page.getByText("role: rules-editor")).toBeVisible();
  await expect(page.getByRole("link", { name: "Logs" })).toHaveCount(0);
  await page.goto("/admin/logs");
  await expect(page.getByRole("heading", { name: "Not available for your role" })).toBeVisible();
  const res = await page.request.get("/api/admin/logs/export?format=ndjson");
  expect(res.status()).toBe(403);
});

test("without a session the dashboard redirects to sign-in and the admin API answers 401", async ({
  page,
  request,
}) => {
  await page.goto("/admin/logs");
  await expect(page).toHaveURL(/\/login\?callbackUrl=/);
  expect((await request.get("/api/admin/logs/export")).status()).toBe(401);
});

test("an application created in the dashboard logs a user in with its one-time secret", async ({
  page,
  request,
}) => {
  await signIn(page, ACCOUNTS.owner);
  await page.getByRole("link", { name: "Applications" }).click();
  await page.getByText("Create application").click();
  await page.getByLabel("Name", { exact: true }).fill("Created In Browser");
  await page.getByLabel("Username-Password-Authentication").check();
  await page.getByRole("button", { name: "Create" }).click();
  const clientId = (await page.getByTestId("new-client-id").innerText()).trim();
  const secret = (await page.getByTestId("new-client-secret").innerText()).trim();
  await expect(page.getByRole("cell", { name: "Created In Browser", exact: true })).toBeVisible();
  const res = await passwordGrant(request, { client_id: clientId, client_secret: secret });
  expect(res.status()).toBe(200);
});

test("an admin who sets up TOTP must give a code at the next sign-in", async ({ page, browser }) => {
  const { generate } = await import("otplib");
  await signIn(page, ACCOUNTS.security);
  await page.getByRole("link", { name: "Your account" }).click();
  await page.getByRole("button", { name: "Set up authenticator app" }).click();
  await expect(page.getByRole("img", { name: "QR code for your authenticator app" })).toBeVisible();
  const secret = (await page.getByTestId("totp-secret").innerText()).trim();
  await page.getByLabel("Code from the app").fill(await generate({ secret }));
  await page.getByRole("button", { name: "Turn on" }).click();
  await expect(page.getByTestId("totp-on")).toBeVisible();

  // A second browser (no session): closed at the end, so later failures' screenshots do not show it.
  const context = await browser.newContext();
  const fresh = await context.newPage();
  try {
    await submitSignIn(fresh, ACCOUNTS.security);
    await expect(fresh.locator("p[role=alert]")).toHaveText("Enter the code from your authenticator app.");
    await fresh.getByLabel("Authenticator code").fill("000000");
    await fresh.getByRole("button", { name: "Sign in" }).click();
    await expect(fresh.locator("p[role=alert]")).toHaveText("That code is not valid. Try the current one.");
    // The code used for enrolment cannot be replayed; wait for the next 30-second step's code.
    const next = await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 });
    await fresh.waitForTimeout(Math.max(0, 30_000 - (Date.now() % 30_000)) + 500);
    await fresh.getByLabel("Authenticator code").fill(next);
    await fresh.getByRole("button", { name: "Sign in" }).click();
    await expect(fresh.getByRole("heading", { name: "Overview" })).toBeVisible();
  } finally {
    await context.close();
  }
});
