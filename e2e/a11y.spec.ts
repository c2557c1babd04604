import { test, expect, type Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { ACCOUNTS, E2E_USER, passwordGrant, signIn } from "./helpers";

// Accessibility: axe finds no serious or critical violation on any screen, in the light and the dark colour scheme,
// and at tablet width. Every dashboard screen (app/admin/**/page.tsx) is here, plus the pages outside it.

type TScheme = "light" | "dark";
type TScreen = { name: string; path: string };

const LIST_SCREENS: TScreen[] = [
  { name: "overview", path: "/admin" },
  { name: "users", path: "/admin/users" },
  { name: "applications", path: "/admin/applications" },
  { name: "connections", path: "/admin/connections" },
  { name: "APIs", path: "/admin/apis" },
  { name: "rules", path: "/admin/rules" },
  { name: "rule settings", path: "/admin/rules/settings" },
  { name: "actions", path: "/admin/actions" },
  { name: "post-login flow", path: "/admin/actions/flows/post-login" },
  { name: "logs", path: "/admin/logs" },
  { name: "attack protection", path: "/admin/attack-protection" },
  { name: "MFA", path: "/admin/mfa" },
  { name: "account", path: "/admin/account" },
  { name: "not found", path: "/admin/users/auth0%7Cno-such-user" },
];

/** One violation, as printed when the test fails. */
type TFinding = { screen: string; id: string; impact: string; help: string; targets: string[] };

/** Runs axe on the page as it is; the serious and critical findings. */
async function seriousViolations(page: Page, screen: string): Promise<TFinding[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({
      screen,
      id: v.id,
      impact: v.impact ?? "",
      help: v.help,
      targets: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
    }));
}

/** Opens a dashboard screen and waits until it is hydrated (controls are disabled before that). */
async function openScreen(page: Page, path: string) {
  await page.goto(path);
  await expect(page.locator("h1").first()).toBeVisible();
  await expect(page.locator("fieldset.until-hydrated")).not.toHaveAttribute("disabled");
}

/** The records the detail screens show: ids read through the lists and the admin API. */
async function detailScreens(page: Page): Promise<TScreen[]> {
  const hrefOf = async (listPath: string, linkName: string | RegExp) => {
    await page.goto(listPath);
    const href = await page.getByRole("link", { name: linkName, exact: true }).first().getAttribute("href");
    expect(href, `a link "${String(linkName)}" on ${listPath}`).toBeTruthy();
    return href!;
  };
  const rule = await page.request.post("/api/admin/rules", {
    data: {
      name: `a11y-rule-${Date.now().toString(36)}`,
      enabled: false,
      script: "function (user, context, callback) {\n  callback(null, user, context);\n}",
    },
  });
  expect(rule.status()).toBe(201);
  const ruleId = ((await rule.json()) as { rule: { id: string } }).rule.id;
  // A second version, so the history shows a diff.
  await page.request.patch(`/api/admin/rules/${ruleId}`, {
    data: { script: "function (user, context, callback) {\n  // v2\n  callback(null, user, context);\n}" },
  });
  const action = await page.request.post("/api/admin/actions", {
    data: {
      name: `a11y-action-${Date.now().toString(36)}`,
      code: "exports.onExecutePostLogin = async (event, api) => {};\n",
      secrets: [{ name: "API_KEY", value: "a11y-secret" }],
    },
  });
  expect(action.status()).toBe(201);
  const actionId = ((await action.json()) as { action: { id: string } }).action.id;
  await page.request.post(`/api/admin/actions/${actionId}/deploy`);
  await page.request.patch(`/api/admin/actions/${actionId}`, {
    data: { code: "exports.onExecutePostLogin = async (event, api) => {\n  // v2\n};\n" },
  });
  await page.goto("/admin");
  const logHref = await page.locator('a[href^="/admin/logs/"]').first().getAttribute("href");
  expect(logHref, "a log record on the overview").toBeTruthy();
  return [
    { name: "a user", path: await hrefOf("/admin/users", E2E_USER.username) },
    { name: "an application", path: await hrefOf("/admin/applications", "Edit E2E Web App") },
    { name: "a connection", path: await hrefOf("/admin/connections", "Username-Password-Authentication") },
    { name: "an API", path: await hrefOf("/admin/apis", "E2E API") },
    { name: "a rule", path: `/admin/rules/${ruleId}` },
    { name: "a rule's history", path: `/admin/rules/${ruleId}/history` },
    { name: "an action", path: `/admin/actions/${actionId}` },
    { name: "an action's history", path: `/admin/actions/${actionId}/history` },
    { name: "a log record", path: logHref! },
  ];
}

/** A password-reset link for the e2e user, made the way a help desk makes one. */
async function resetLink(page: Page, userPath: string): Promise<string> {
  const userId = decodeURIComponent(userPath.split("/").pop()!);
  const res = await page.request.post(
    `/api/admin/users/${encodeURIComponent(userId)}/password-change-ticket`,
    {
      data: { mark_email_as_verified: false },
    },
  );
  expect(res.ok(), await res.text()).toBe(true);
  return ((await res.json()) as { ticket: string }).ticket;
}

function report(findings: TFinding[]): string {
  return findings
    .map((f) => `${f.screen}: ${f.id} (${f.impact}) ${f.help}\n    ${f.targets.join("\n    ")}`)
    .join("\n");
}

for (const scheme of ["light", "dark"] as const satisfies readonly TScheme[]) {
  test(`no serious or critical axe violations on any screen (${scheme} scheme)`, async ({
    page,
    browser,
  }) => {
    test.setTimeout(240_000);
    await passwordGrant(page.request);
    await passwordGrant(page.request, { password: "a-wrong-password" });
    await page.emulateMedia({ colorScheme: scheme });
    await page.setViewportSize({ width: 1280, height: 900 });
    const findings: TFinding[] = [];

    await page.goto("/login");
    await expect(page.getByRole("button", { name: "Sign in" })).toBeEnabled();
    findings.push(...(await seriousViolations(page, "sign-in")));

    await signIn(page, ACCOUNTS.owner);
    const screens = [...LIST_SCREENS, ...(await detailScreens(page))];
    for (const s of screens) {
      await openScreen(page, s.path);
      findings.push(...(await seriousViolations(page, s.name)));
    }

    // The hosted pages a user opens from a mail, in a browser that is not signed in.
    const user = await browser.newContext({ colorScheme: scheme });
    const other = await user.newPage();
    const link = await resetLink(page, screens.find((s) => s.name === "a user")!.path);
    const hosted: TScreen[] = [
      { name: "reset password", path: link },
      { name: "reset password (invalid link)", path: "/reset-password?ticket=not-a-ticket" },
      { name: "verify email (invalid link)", path: "/verify-email?ticket=not-a-ticket" },
      { name: "unblock (invalid link)", path: "/unblock/not-a-token" },
      { name: "home", path: "/" },
    ];
    for (const h of hosted) {
      await other.goto(h.path);
      await expect(other.locator("h1").first()).toBeVisible();
      findings.push(...(await seriousViolations(other, h.name)));
    }
    // The page the unblock button answers with (POST /api/unblock), here for a link that is not valid: it shares
    // the account pages' look, so it must pass in both schemes too.
    await other.goto("/unblock/not-a-token");
    await other.evaluate(() => {
      const form = document.createElement("form");
      form.method = "post";
      form.action = "/api/unblock";
      const token = document.createElement("input");
      token.type = "hidden";
      token.name = "token";
      token.value = "not-a-token";
      form.append(token);
      document.body.append(form);
      form.submit();
    });
    await expect(other.locator("h1")).toHaveText("This unblock link is not valid");
    findings.push(...(await seriousViolations(other, "unblock result (invalid link)")));
    await user.close();

    expect(findings, report(findings)).toEqual([]);
  });
}

test("tablet width (768×1024): navigation wraps, no serious violations in either scheme", async ({
  page,
}) => {
  test.setTimeout(180_000);
  await page.setViewportSize({ width: 768, height: 1024 });
  await signIn(page, ACCOUNTS.owner);
  const findings: TFinding[] = [];
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const path of ["/admin", "/admin/users", "/admin/applications", "/admin/logs", "/admin/rules"]) {
      await openScreen(page, path);
      // Nothing wider than the window: wide tables scroll inside their own box.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${path} scrolls sideways at 768 px`).toBeLessThanOrEqual(0);
      findings.push(...(await seriousViolations(page, `${path} at 768 px, ${scheme}`)));
    }
  }
  expect(findings, report(findings)).toEqual([]);
});

test("keyboard: skip link first, current page marked, focus visible", async ({ page }) => {
  await signIn(page, ACCOUNTS.owner);
  await openScreen(page, "/admin/users");
  const nav = page.getByRole("navigation", { name: "Dashboard" });
  await expect(nav.getByRole("link", { name: "Users" })).toHaveAttribute("aria-current", "page");
  await expect(nav.getByRole("link", { name: "Overview" })).not.toHaveAttribute("aria-current");

  // The first Tab lands on "Skip to content", which shows itself and moves focus to the screen.
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to content" });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.keyboard.press("Enter");
  await expect(page.locator("main#content")).toBeFocused();
  // The next Tab reaches the screen's first control, not the navigation, with a visible focus ring.
  await page.keyboard.press("Tab");
  const focused = page.locator(":focus");
  await expect(focused).toBeVisible();
  expect(await focused.evaluate((el) => el.closest("nav") === null)).toBe(true);
  const outline = await focused.evaluate((el) => getComputedStyle(el).outlineStyle);
  expect(outline).not.toBe("none");

  // A record below a section marks the section.
  await page.getByRole("link", { name: E2E_USER.username }).click();
  await expect(nav.getByRole("link", { name: "Users" })).toHaveAttribute("aria-current", "true");
});
