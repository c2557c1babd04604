import { test, expect, type Page } from "@playwright/test";
import { ACCOUNTS, passwordGrant, signIn } from "./helpers";

const MFA_CLIENT = {
  client_id: "e2e-mfa-app",
  client_secret: "e2e-mfa-app-secret-0123456789abcdef0123456789abcdef",
};
const MFA_USER = { username: "e2e.mfa@example.com", password: "E2e-Passw0rd!" };

async function setMfaPolicy(page: Page, label: RegExp) {
  await page.goto("/admin/mfa");
  await page.getByRole("radio", { name: label }).check();
  await page.getByRole("button", { name: "Save MFA settings" }).click();
  await expect(page.getByRole("status")).toHaveText("Saved.");
}

test("failed logins over HTTP show in the attack view, and its table lifts the block", async ({
  page,
  request,
}) => {
  const victim = `attack-view-${Date.now()}@example.com`;
  const attempt = () => passwordGrant(request, { username: victim, password: "guess" });
  for (let i = 0; i < 10; i++) expect((await attempt()).status()).toBe(403);
  expect((await attempt()).status()).toBe(429);

  await signIn(page, ACCOUNTS.owner, "/admin/attack-protection");
  const view = page.getByTestId("attack-view");
  await expect(view.getByRole("heading", { name: "Attack view" })).toBeVisible();
  await expect(view.getByRole("link", { name: "Last hour" })).toHaveAttribute("aria-current", "page");
  // The chart says what it shows in words, and its numbers are a table too.
  await expect(view.getByRole("figure")).toContainText("failed logins");
  const row = page.getByTestId("top-identifiers").getByRole("row").filter({ hasText: victim });
  await expect(row).toContainText("10");
  await expect(row).toContainText("Blocked from 1 source");
  await expect(row.getByRole("link", { name: victim })).toHaveAttribute(
    "href",
    `/admin/logs?${new URLSearchParams({ user: victim })}`,
  );

  await row.getByRole("button", { name: `Unblock ${victim}` }).click();
  await expect(row).toContainText("Not blocked");
  await expect(row.getByRole("button")).toHaveCount(0);
  // Lifted for real: the next wrong password is an ordinary failure again.
  expect((await attempt()).status()).toBe(403);

  // The longer ranges list it too; a viewer sees the state but no unblock button.
  await view.getByRole("link", { name: "Last 14 days" }).click();
  await expect(page).toHaveURL(/range=14d/);
  await expect(page.getByTestId("attack-view").getByRole("link", { name: "Last 14 days" })).toHaveAttribute(
    "aria-current",
    "page",
  );
  await expect(
    page.getByTestId("top-identifiers").getByRole("row").filter({ hasText: victim }),
  ).toContainText("11");
});

test("a viewer reads the attack view without unblock buttons", async ({ page }) => {
  await signIn(page, ACCOUNTS.viewer, "/admin/attack-protection?range=day");
  const view = page.getByTestId("attack-view");
  await expect(view.getByRole("link", { name: "Last day" })).toHaveAttribute("aria-current", "page");
  await expect(view.getByRole("button", { name: /^Unblock/ })).toHaveCount(0);
});

test("wrong second-factor codes over HTTP show as MFA failures, with the user they target", async ({
  page,
  request,
}) => {
  await signIn(page, ACCOUNTS.owner);
  await setMfaPolicy(page, /^Always/);
  try {
    const login = await passwordGrant(request, { ...MFA_CLIENT, ...MFA_USER });
    expect(login.status()).toBe(403);
    const mfaToken = ((await login.json()) as { mfa_token: string }).mfa_token;
    // An OTP authenticator to guess against: a new one, or the one the MFA spec left (then this answers 403).
    const associate = await request.post("/mfa/associate", {
      headers: { authorization: `Bearer ${mfaToken}` },
      data: { authenticator_types: ["otp"] },
    });
    expect([200, 403]).toContain(associate.status());
    for (let i = 0; i < 2; i++) {
      const otp = await request.post("/oauth/token", {
        form: {
          grant_type: "http://auth0.com/oauth/grant-type/mfa-otp",
          ...MFA_CLIENT,
          mfa_token: mfaToken,
          otp: "wrong1",
        },
      });
      expect(otp.status()).toBe(403);
    }
  } finally {
    // Leave the shared tenant as the other specs expect it.
    await setMfaPolicy(page, /^Never/);
  }

  await page.goto("/admin/attack-protection");
  const view = page.getByTestId("attack-view");
  await expect(view.getByTestId("attack-total-mfa")).not.toHaveText("0");
  await expect(view.getByRole("figure")).toContainText("failed second factors");
  // The numbers table (in a closed <details>) has the series as a column.
  await expect(
    view.getByRole("figure").getByRole("columnheader", { name: "MFA failures", includeHidden: true }),
  ).toBeAttached();
  const row = view.getByTestId("top-mfa-users").getByRole("row").filter({ hasText: MFA_USER.username });
  await expect(row.getByRole("link", { name: MFA_USER.username, exact: true })).toHaveAttribute(
    "href",
    /^\/admin\/users\/auth0%7C/,
  );
  await expect(row.getByRole("link", { name: `Logs of ${MFA_USER.username}` })).toHaveAttribute(
    "href",
    /^\/admin\/logs\?user=auth0%7C/,
  );
});
