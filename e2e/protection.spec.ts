import { test, expect } from "@playwright/test";
import { ACCOUNTS, passwordGrant, signIn } from "./helpers";

test("a brute-force block shows on Attack protection and an admin lifts it", async ({ page, request }) => {
  const victim = `victim-${Date.now()}@example.com`;
  const attempt = () => passwordGrant(request, { username: victim, password: "guess" });
  for (let i = 0; i < 10; i++) expect((await attempt()).status()).toBe(403);
  const blocked = await attempt();
  expect(blocked.status()).toBe(429);
  expect(((await blocked.json()) as { error: string }).error).toBe("too_many_attempts");

  await signIn(page, ACCOUNTS.owner, "/admin/attack-protection");
  await expect(page.getByRole("heading", { name: "Attack protection" })).toBeVisible();
  // The "Blocked now" table (the attack view above it lists the victim too).
  const blockedNow = page.locator("table", { has: page.getByRole("columnheader", { name: "Connection" }) });
  const row = blockedNow.getByRole("row").filter({ hasText: victim });
  await expect(row).toBeVisible();
  await blockedNow.getByRole("button", { name: `Unblock ${victim}` }).click();
  await expect(page.getByTestId("no-user-blocks")).toBeVisible();

  // The block is gone: the next wrong password is an ordinary failure again.
  expect((await attempt()).status()).toBe(403);
});
