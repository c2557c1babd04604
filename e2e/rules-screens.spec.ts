import { test, expect, type APIRequestContext, type Page } from "@playwright/test";
import { ACCOUNTS, jwtClaims, passwordGrant, signIn } from "./helpers";

// The e2e database outlives a run (the tenant import is idempotent), so every name made here is unique to the run.
const RUN = Date.now().toString(36);
const CLAIM = `https://e2e.test/winner-${RUN}`;

/** Create a rule through the admin API with the page's session (as the dashboard does). */
async function createRule(page: Page, name: string, script: string, enabled = true): Promise<string> {
  const res = await page.request.post("/api/admin/rules", { data: { name, script, enabled } });
  expect(res.status(), await res.text()).toBe(201);
  return ((await res.json()) as { rule: { id: string } }).rule.id;
}

const claimScript = (value: string) => `function (user, context, callback) {
  context.accessToken['${CLAIM}'] = '${value}';
  callback(null, user, context);
}`;

async function accessClaims(request: APIRequestContext): Promise<Record<string, unknown>> {
  const res = await passwordGrant(request);
  expect(res.status()).toBe(200);
  return jwtClaims(((await res.json()) as { access_token: string }).access_token);
}

async function replaceScript(page: Page, script: string) {
  await page.locator(".cm-content").click();
  await page.keyboard.press("Control+A");
  await page.keyboard.insertText(script);
}

test("a syntax error is marked in the editor, and saving is refused with the compiler's message", async ({
  page,
}) => {
  await signIn(page, ACCOUNTS.editor, "/admin/rules");
  const id = await createRule(page, `e2e-syntax-${RUN}`, claimScript("x"), false);
  await page.goto(`/admin/rules/${id}`);
  await expect(page.getByRole("heading", { name: `Rule: e2e-syntax-${RUN}` })).toBeVisible();
  await expect(page.getByTestId("script-problems")).toHaveText("No syntax errors.");

  await replaceScript(
    page,
    "function (user, context, callback) {\n  var = 1;\n  callback(null, user, context);\n}",
  );
  // Inline: the range is underlined and the gutter has an error marker; the text below says where.
  await expect(page.locator(".cm-lintRange-error")).toBeVisible();
  await expect(page.locator(".cm-lint-marker-error")).toBeVisible();
  await expect(page.getByTestId("script-problems")).toContainText("Syntax error at line 2");

  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "does not compile" })).toContainText(
    "The script does not compile: Unexpected token '='",
  );
  // Nothing was saved: still version 1.
  await page.reload();
  await expect(page.getByText("version 1 ·")).toBeVisible();
  await expect(page.locator(".cm-content")).toContainText("context.accessToken");
});

test("typing user. offers user.email, and context.request. its fields", async ({ page }) => {
  await signIn(page, ACCOUNTS.editor, "/admin/rules");
  const id = await createRule(page, `e2e-complete-${RUN}`, claimScript("x"), false);
  await page.goto(`/admin/rules/${id}`);
  await page.locator(".cm-content").click();
  await page.keyboard.press("Control+End");
  await page.keyboard.press("ArrowUp");
  await page.keyboard.press("End");
  await page.keyboard.press("Enter");
  await page.keyboard.type("var e = user.");
  const list = page.locator(".cm-tooltip-autocomplete");
  await expect(list.locator(".cm-completionLabel", { hasText: /^email$/ })).toBeVisible();
  await page.keyboard.type("ema");
  await expect(list.locator("li[aria-selected=true] .cm-completionLabel")).toHaveText("email");
  await page.keyboard.press("Enter");
  await expect(page.locator(".cm-content")).toContainText("var e = user.email");

  await page.keyboard.type(";\n  var ip = context.request.");
  await expect(list.locator(".cm-completionLabel", { hasText: /^ip$/ })).toBeVisible();
  await page.keyboard.press("Escape");
});

test("a rule that sets context.redirect is warned about in the editor with the error password logins get", async ({
  page,
}) => {
  await signIn(page, ACCOUNTS.editor, "/admin/rules");
  const id = await createRule(page, `e2e-redirect-${RUN}`, claimScript("x"), false);
  await page.goto(`/admin/rules/${id}`);
  await replaceScript(
    page,
    "function (user, context, callback) {\n  context.redirect = { url: 'https://example.com/' };\n  callback(null, user, context);\n}",
  );
  await expect(page.locator(".cm-lintRange-warning")).toBeVisible();
  await expect(page.getByTestId("script-problems")).toContainText(
    "auth0 redirection is not available on /oauth/token endpoint",
  );
});

test("reordering two rules changes which one's claim a password login gets", async ({ page, request }) => {
  await signIn(page, ACCOUNTS.editor, "/admin/rules");
  const first = `e2e-first-${RUN}`;
  const second = `e2e-second-${RUN}`;
  await createRule(page, first, claimScript("first"));
  await createRule(page, second, claimScript("second"));
  // New rules run last, in order of creation: the second overwrites the first's claim.
  await expect.poll(async () => (await accessClaims(request))[CLAIM], { timeout: 10_000 }).toBe("second");

  await page.goto("/admin/rules");
  const names = () => page.getByTestId("rule-row").locator("td:nth-child(2)").allTextContents();
  let order = await names();
  expect(order.indexOf(second)).toBe(order.indexOf(first) + 1);

  // Keyboard: focus the button and press Enter.
  const up = page.getByRole("button", { name: `Move ${second} up` });
  await up.focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("status").filter({ hasText: `Moved ${second} to position` })).toBeVisible();
  order = await names();
  expect(order.indexOf(second)).toBe(order.indexOf(first) - 1);
  await expect(page.locator(":focus")).toHaveAttribute(
    "aria-label",
    new RegExp(`^Move ${second} (up|down)$`),
  );

  // Persisted: a reload shows the same order, and logins run it.
  await page.reload();
  order = await names();
  expect(order.indexOf(second)).toBe(order.indexOf(first) - 1);
  await expect.poll(async () => (await accessClaims(request))[CLAIM], { timeout: 10_000 }).toBe("first");

  // The enable toggles in the list: disabling the first leaves only the second's claim.
  await page.getByRole("checkbox", { name: `${first} enabled` }).uncheck();
  await expect(page.getByRole("status").filter({ hasText: `${first} is disabled.` })).toBeVisible();
  await expect.poll(async () => (await accessClaims(request))[CLAIM], { timeout: 10_000 }).toBe("second");
  await page.getByRole("checkbox", { name: `${second} enabled` }).uncheck();
  await expect.poll(async () => (await accessClaims(request))[CLAIM], { timeout: 10_000 }).toBeUndefined();
});

test("an edit shows as a diff in the history, and rolling back restores the previous script", async ({
  page,
}) => {
  await signIn(page, ACCOUNTS.editor, "/admin/rules");
  const name = `e2e-history-${RUN}`;
  const id = await createRule(page, name, claimScript("version-one"), false);
  await page.goto(`/admin/rules/${id}`);
  await replaceScript(page, claimScript("version-two"));
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  await expect(page.getByText("version 2 ·")).toBeVisible();

  await page.getByRole("link", { name: "Version history" }).click();
  await expect(page.getByRole("heading", { name: `Version history: ${name}` })).toBeVisible();
  await expect(page.getByTestId("version-row")).toHaveCount(2);
  await expect(page.getByTestId("version-row").first()).toContainText("editor@e2e.test");
  const diff = page.getByTestId("version-diff");
  await expect(diff.getByRole("heading")).toHaveText("Changes from version 1 to the current version (2)");
  await expect(diff).toContainText("1 line removed, 1 line added.");
  await expect(diff.locator("tr[data-kind=removed]")).toContainText("removed: ");
  await expect(diff.locator("tr[data-kind=removed]")).toContainText("version-one");
  await expect(diff.locator("tr[data-kind=added]")).toContainText("version-two");

  await page.getByRole("button", { name: "Roll back to version 1" }).click();
  const dialog = page.getByRole("dialog", { name: `Roll "${name}" back to version 1?` });
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "Roll back to version 1" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Rolled back" })).toHaveText(
    "Rolled back: version 1 is current again as version 3.",
  );
  await expect(page.getByTestId("version-row")).toHaveCount(3);
  await expect(page.getByTestId("version-row").first()).toContainText("3 (current)");

  await page.getByRole("link", { name: "Back to the editor" }).click();
  await expect(page.getByText("version 3 ·")).toBeVisible();
  await expect(page.locator(".cm-content")).toContainText("'version-one'");
  await expect(page.locator(".cm-content")).not.toContainText("version-two");
});

test("a rule setting is masked after saving, never in the page, offered as configuration.KEY, and deletable", async ({
  page,
}) => {
  const key = `E2E_KEY_${RUN}`;
  const value = `e2e-setting-value-${RUN}-do-not-show`;
  await signIn(page, ACCOUNTS.editor, "/admin/rules/settings");
  await expect(page.getByRole("heading", { name: "Rule settings" })).toBeVisible();
  await page.getByLabel("Key").fill(key);
  await page.getByLabel("Value", { exact: true }).fill(value);
  await page.getByRole("button", { name: "Add setting" }).click();
  await expect(page.getByRole("status").filter({ hasText: `Saved ${key}` })).toBeVisible();
  await expect(page.getByLabel("Value", { exact: true })).toHaveValue("");

  await page.reload();
  const row = page.getByTestId("setting-row").filter({ hasText: key });
  await expect(row).toContainText("••••");
  expect(await page.content()).not.toContain(value);
  const html = await (await page.request.get("/admin/rules/settings")).text();
  expect(html).toContain(key);
  expect(html).not.toContain(value);

  // The key (never the value) is offered after `configuration.` in the editor.
  const id = await createRule(page, `e2e-config-${RUN}`, claimScript("x"), false);
  await page.goto(`/admin/rules/${id}`);
  expect(await page.content()).not.toContain(value);
  await page.locator(".cm-content").click();
  await page.keyboard.press("Control+End");
  await page.keyboard.press("ArrowUp");
  await page.keyboard.press("End");
  await page.keyboard.type("\nvar k = configuration.");
  await expect(page.locator(".cm-tooltip-autocomplete").getByRole("option", { name: key })).toBeVisible();
  await page.keyboard.press("Escape");

  // Replace, then delete with confirmation.
  await page.goto("/admin/rules/settings");
  await page.getByRole("button", { name: `Replace the value of ${key}` }).click();
  await page.getByLabel(`New value for ${key}`).fill(`${value}-2`);
  await page.getByRole("button", { name: "Save value" }).click();
  await expect(page.getByRole("status").filter({ hasText: `Replaced the value of ${key}.` })).toBeVisible();
  expect(await page.content()).not.toContain(value);
  await page.getByRole("button", { name: `Delete ${key}` }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete setting" }).click();
  await expect(page.getByTestId("setting-row").filter({ hasText: key })).toHaveCount(0);
});

test("the viewer role reads rules and settings but has no controls that change them", async ({ page }) => {
  await signIn(page, ACCOUNTS.viewer, "/admin/rules");
  await expect(page.getByRole("heading", { name: "Rules", exact: true })).toBeVisible();
  await expect(page.getByText("Your role can read rules but not change them.")).toBeVisible();
  await expect(page.getByLabel("New rule name")).toHaveCount(0);
  await expect(page.getByRole("button", { name: /^Move / })).toHaveCount(0);
  for (const box of await page.getByRole("checkbox").all()) await expect(box).toBeDisabled();
  await page.getByTestId("rule-row").first().getByRole("link").click();
  await expect(page.getByRole("heading", { name: /^Rule: / })).toBeVisible();
  await expect(page.getByRole("button", { name: "Save" })).toHaveCount(0);
  await expect(page.locator(".cm-content")).toHaveAttribute("aria-readonly", "true");
  await page.locator(".cm-content").click();
  await page.keyboard.type("zzz");
  await expect(page.locator(".cm-content")).not.toContainText("zzz");
  await page.goto("/admin/rules/settings");
  await expect(page.getByRole("button", { name: "Add setting" })).toHaveCount(0);
  // And the server refuses a change anyway.
  const res = await page.request.post("/api/admin/rules/reorder", { data: { ids: ["rul_x"] } });
  expect(res.status()).toBe(403);
});
