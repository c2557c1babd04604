import { test, expect } from "@playwright/test";
import { ACCOUNTS, passwordGrant, signIn } from "./helpers";
import { PEOPLE, simulateAttack } from "./simulate-attack";

// Every dashboard screen renders for an owner. `npm run screenshots` keeps the pictures in docs/screenshots.
// They are taken after a simulated attack (e2e/simulate-attack.ts), so they show what a security team would see.
const SCREENS = [
  { path: "/admin", heading: "Overview", file: "overview" },
  { path: "/admin/applications", heading: "Applications", file: "applications" },
  { path: "/admin/connections", heading: "Connections", file: "connections" },
  { path: "/admin/apis", heading: "APIs", file: "apis" },
  { path: "/admin/users", heading: "Users", file: "users" },
  { path: "/admin/rules", heading: "Rules", file: "rules" },
  { path: "/admin/rules/settings", heading: "Rule settings", file: "rule-settings" },
  { path: "/admin/actions", heading: "Actions", file: "actions" },
  { path: "/admin/actions/flows/post-login", heading: "Post-login flow", file: "post-login-flow" },
  { path: "/admin/logs", heading: "Logs", file: "logs" },
  // Charts and sections may load after the heading: wait for the network to settle before the picture.
  { path: "/admin/attack-protection", heading: "Attack protection", file: "attack-protection", settle: true },
  { path: "/admin/account", heading: "Your account", file: "account" },
];

test("every dashboard screen renders (and is photographed)", async ({ page, request }, testInfo) => {
  // The attack takes 10–30 s on a loaded 2-core machine, then some twenty screens.
  test.setTimeout(180_000);
  const dir = process.env.SCREENSHOT_DIR;
  const shot = async (name: string) =>
    page.screenshot({
      path: dir ? `${dir}/${name}.png` : testInfo.outputPath(`${name}.png`),
      fullPage: true,
    });
  await passwordGrant(request);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto("/login");
  await shot("sign-in");
  await signIn(page, ACCOUNTS.owner, "/login");
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  // Once per database: a retry finds the blocks already there (the attack cannot be played twice: Ben's office IP
  // stays throttled).
  const blocksOf = async () =>
    (
      (await (await page.request.get("/api/admin/attack-protection/blocks")).json()) as {
        users: { identifier: string; user_id: string | null }[];
      }
    ).users;
  if (!(await blocksOf()).some((b) => b.identifier === PEOPLE.chloe.email)) {
    const attack = await simulateAttack(request, page.request);
    await testInfo.attach("simulated-attack.json", {
      body: JSON.stringify(attack, null, 2),
      contentType: "application/json",
    });
  }
  for (const s of SCREENS) {
    await page.goto(s.path);
    await expect(page.getByRole("heading", { name: s.heading, exact: true })).toBeVisible();
    if (s.settle) await page.waitForLoadState("networkidle");
    await shot(s.file);
  }
  // A user locked by the attack (from rotating addresses of one /64): the user screen says why and what lifts it.
  const locked = (await blocksOf()).find((b) => b.identifier === PEOPLE.chloe.email);
  expect(locked?.user_id).toBeTruthy();
  await page.goto(`/admin/users/${encodeURIComponent(locked!.user_id!)}`);
  await expect(page.getByRole("heading", { name: PEOPLE.chloe.email })).toBeVisible();
  // The block from the /64 is in view; the spray's one-failure addresses are folded under one line.
  const status = page.getByRole("region", { name: "Sign-in status" });
  await expect(status.getByTestId("lockout-state")).toContainText("Blocked");
  await expect(status.getByText("2001:db8:7:1::/64").first()).toBeVisible();
  await expect(status.getByText(/more sources are counting towards a block/)).toBeVisible();
  await page.waitForLoadState("networkidle");
  await shot("user-locked");
  // Edit screens, reached from their lists.
  await page.goto("/admin/applications");
  await page.getByRole("link", { name: "Edit E2E Web App" }).click();
  await expect(page.getByRole("heading", { name: "E2E Web App" })).toBeVisible();
  await shot("application");
  await page.goto("/admin/connections");
  await page.getByRole("link", { name: "Username-Password-Authentication" }).click();
  await expect(page.getByRole("heading", { name: "Username-Password-Authentication" })).toBeVisible();
  await shot("connection");
  await page.goto("/admin/apis");
  await page.getByRole("link", { name: "E2E API" }).click();
  await expect(page.getByRole("heading", { name: "E2E API" })).toBeVisible();
  await shot("api");
  // A rule with two versions: the editor (with a completion list open) and its history with a diff.
  const created = await page.request.post("/api/admin/rules", {
    data: {
      name: "add-roles-claim",
      enabled: false,
      script: `function (user, context, callback) {
  context.accessToken['https://example.com/roles'] = [];
  callback(null, user, context);
}`,
    },
  });
  expect(created.status()).toBe(201);
  const ruleId = ((await created.json()) as { rule: { id: string } }).rule.id;
  const edited = await page.request.patch(`/api/admin/rules/${ruleId}`, {
    data: {
      script: `function (user, context, callback) {
  var roles = (user.app_metadata || {}).roles || [];
  context.accessToken['https://example.com/roles'] = roles;
  callback(null, user, context);
}`,
    },
  });
  expect(edited.status()).toBe(200);
  await page.goto(`/admin/rules/${ruleId}`);
  await expect(page.getByRole("heading", { name: "Rule: add-roles-claim" })).toBeVisible();
  await page.locator(".cm-content").click();
  await page.keyboard.press("Control+End");
  await page.keyboard.press("ArrowUp");
  await page.keyboard.press("End");
  await page.keyboard.type("\n  var ip = context.request.");
  await expect(page.locator(".cm-tooltip-autocomplete")).toBeVisible();
  await shot("rule-editor");
  await page.goto(`/admin/rules/${ruleId}/history`);
  await expect(page.getByTestId("version-diff")).toBeVisible();
  await shot("rule-history");
  // An action with a secret, deployed once: the editor with the api. completion list open, and its history.
  const action = await page.request.post("/api/admin/actions", {
    data: {
      name: "Add plan claim",
      code: `exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim('https://example.com/plan', event.user.app_metadata.plan);
};
`,
      secrets: [{ name: "API_KEY", value: "screenshot-secret" }],
    },
  });
  expect(action.status()).toBe(201);
  const actionId = ((await action.json()) as { action: { id: string } }).action.id;
  expect((await page.request.post(`/api/admin/actions/${actionId}/deploy`)).status()).toBe(200);
  await page.goto(`/admin/actions/${actionId}`);
  await expect(page.getByRole("heading", { name: "Action: Add plan claim" })).toBeVisible();
  await page.locator(".cm-content").click();
  // The code ends with a newline: two lines up is the handler's last statement.
  await page.keyboard.press("Control+End");
  await page.keyboard.press("ArrowUp");
  await page.keyboard.press("ArrowUp");
  await page.keyboard.press("End");
  await page.keyboard.type("\n  api.accessToken.");
  await expect(page.locator(".cm-tooltip-autocomplete")).toBeVisible();
  await shot("action-editor");
  const draft = await page.request.patch(`/api/admin/actions/${actionId}`, {
    data: {
      code: `exports.onExecutePostLogin = async (event, api) => {
  const plan = event.user.app_metadata.plan || 'free';
  api.idToken.setCustomClaim('https://example.com/plan', plan);
};
`,
    },
  });
  expect(draft.status()).toBe(200);
  await page.goto(`/admin/actions/${actionId}/history`);
  await expect(page.getByTestId("version-diff")).toBeVisible();
  await shot("action-history");
  await page.goto("/admin/users");
  await page.getByText("Create user", { exact: true }).first().click();
  await expect(page.getByRole("form", { name: "Create user" })).toBeVisible();
  await shot("users-create");
  await page.getByRole("link", { name: "e2e.user@example.com" }).click();
  await expect(page.getByRole("heading", { name: "e2e.user@example.com" })).toBeVisible();
  await expect(page.getByRole("textbox", { name: "user_metadata" })).toBeVisible();
  await shot("user");
  await page.goto("/admin/logs");
  await page.locator("tbody tr a").first().click();
  await expect(page.getByRole("heading", { name: /Log record/ })).toBeVisible();
  await shot("log-record");
  // Tablet width: the layout still works.
  await page.setViewportSize({ width: 800, height: 1000 });
  await page.goto("/admin/logs");
  await expect(page.getByRole("button", { name: "Filter" })).toBeVisible();
  await shot("logs-tablet");
});

// The hosted account pages, reached the honest way: an owner makes a help-desk reset link on the user screen, and
// a browser without JavaScript opens it and sets a new password through the plain form.
test("the reset page through an admin's reset link (no JS), and the verify page (photographed)", async ({
  page,
  browser,
}, testInfo) => {
  const dir = process.env.SCREENSHOT_DIR;
  const shotOf = (p: typeof page, name: string) =>
    p.screenshot({ path: dir ? `${dir}/${name}.png` : testInfo.outputPath(`${name}.png`), fullPage: true });
  const email = `reset-${Date.now().toString(36)}@e2e.test`;
  const newPassword = "Help-Desk-Reset-2026!";
  await signIn(page, ACCOUNTS.owner);
  const created = await page.request.post("/api/admin/users", {
    data: { connection: "Username-Password-Authentication", email, password: "Before-Reset-Passw0rd!" },
  });
  expect(created.status()).toBe(201);
  const { user_id } = (await created.json()) as { user_id: string };
  await page.goto(`/admin/users/${encodeURIComponent(user_id)}`);
  await page.getByRole("button", { name: "Create password reset link" }).click();
  const linkBox = page.getByRole("textbox", { name: "Password reset link" });
  await expect(linkBox).toHaveValue(/\/reset-password\?ticket=/);
  const link = await linkBox.inputValue();

  const noJs = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 800 } });
  const user = await noJs.newPage();
  await user.goto(link);
  await expect(user.getByRole("heading", { name: "Change your password" })).toBeVisible();
  await shotOf(user, "reset-password");
  await user.getByLabel("New password", { exact: true }).fill(newPassword);
  await user.getByLabel("Confirm new password").fill(newPassword);
  await user.getByRole("button", { name: "Change password" }).click();
  await expect(user.getByRole("heading", { name: "Password changed" })).toBeVisible();
  await shotOf(user, "reset-password-done");
  expect((await passwordGrant(page.request, { username: email, password: newPassword })).status()).toBe(200);
  // The link worked once.
  await user.goto(link);
  await expect(user.getByRole("heading", { name: "This link is not valid" })).toBeVisible();

  // A verification link is only ever mailed (the outbox keeps it redacted), so the verify page is photographed in
  // the state a used or expired link shows.
  await user.goto("/verify-email?ticket=an-expired-or-used-verification-link");
  await expect(user.getByRole("heading", { name: "This link is not valid" })).toBeVisible();
  await shotOf(user, "verify-email-invalid");
  await noJs.close();
});
