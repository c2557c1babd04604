import { test, expect } from "@playwright/test";
import { ACCOUNTS, E2E_USER, passwordGrant, signIn } from "./helpers";

// Logs people can read: a failed login made over HTTP shows on the Logs screen by its event name with a link to
// the user, the name filter finds it with a shareable URL, and its record page lists what the same user and the
// same IP did around it.
test("a failed login over HTTP is named, filtered by name, linked to its user and shown with related records", async ({
  page,
  request,
}) => {
  expect((await passwordGrant(request, { password: "not-the-password" })).status()).toBe(403);
  // The right password next: a related record of the same user and IP (and it resets the failure count).
  expect((await passwordGrant(request)).status()).toBe(200);

  await signIn(page, ACCOUNTS.owner);
  await page.goto("/admin/logs");
  await expect(page.getByRole("heading", { name: "Logs" })).toBeVisible();
  await page.getByLabel("Event type").selectOption({ label: "Failed Login (Incorrect Password) (fp)" });
  await page.getByLabel("User (id or name)").fill(E2E_USER.username);
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/[?&]type=fp(&|$)/);
  await expect(page.getByText("Showing")).toContainText("Failed Login (Incorrect Password)");

  const table = page.getByRole("table");
  const row = table.getByRole("row").filter({ hasText: "Wrong email or password." }).first();
  await expect(row).toContainText("Failed Login (Incorrect Password)");
  await expect(row.getByText("fp", { exact: true })).toBeVisible();
  await expect(row).toContainText(/just now|\d+ s ago|\d+ min ago/);
  await expect(row.locator("time")).toHaveAttribute("datetime", /^\d{4}-\d\d-\d\dT/);
  const userLink = row.getByRole("link", { name: E2E_USER.username });
  await expect(userLink).toHaveAttribute("href", /^\/admin\/users\/auth0%7C/);
  await expect(row.getByRole("link", { name: "E2E Web App" })).toHaveAttribute(
    "href",
    "/admin/applications/e2e-web-app",
  );
  await expect(row.getByRole("link", { name: "Username-Password-Authentication" })).toHaveAttribute(
    "href",
    /^\/admin\/connections\/con_/,
  );
  // Only failed-password records are listed: no success exchange slipped through the name filter.
  await expect(table).not.toContainText("Success Exchange");

  // The shared URL opens the same selection.
  await page.goto(page.url());
  await expect(page.getByLabel("Event type")).toHaveValue("fp");

  await row.locator("a").first().click();
  await expect(
    page.getByRole("heading", { name: /Log record: Failed Login \(Incorrect Password\)/ }),
  ).toBeVisible();
  await expect(page.getByText("Failed login due to invalid password.").first()).toBeVisible();
  const sameUser = page.getByRole("region", { name: "Same user" });
  const sameIp = page.getByRole("region", { name: "Same IP address" });
  await expect(sameUser).toContainText("Success Exchange (Password for Access Token)");
  await expect(sameIp).toContainText("Success Exchange (Password for Access Token)");
  await sameUser
    .getByRole("listitem")
    .filter({ hasText: "Success Exchange (Password for Access Token)" })
    .getByRole("link", { name: /after/ })
    .first()
    .click();
  await expect(page.getByRole("heading", { name: /Log record: Success Exchange/ })).toBeVisible();
  await expect(page.getByRole("region", { name: "Same user" })).toContainText(
    "Failed Login (Incorrect Password)",
  );
});
