import { test, expect } from "@playwright/test";
import { ACCOUNTS, passwordGrant, signIn } from "./helpers";

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
