import { test, expect } from "@playwright/test";
import { ACCOUNTS, E2E_USER, passwordGrant, signIn } from "./helpers";

type TExplanation = {
  state: string;
  causes: { kind: string; ip?: string; addresses?: string[]; count?: number }[];
};

test("the explainer names the IP and count of a brute-force block, and one click lifts it", async ({
  page,
  request,
}) => {
  // A successful login first: it clears the failures earlier specs left for this user and address.
  expect((await passwordGrant(request)).status()).toBe(200);
  // Ten wrong passwords over HTTP lock the e2e user out of this address; the right password is refused too.
  for (let i = 0; i < 10; i++)
    expect((await passwordGrant(request, { password: "not-the-password" })).status()).toBe(403);
  expect((await passwordGrant(request)).status()).toBe(429);

  await signIn(page, ACCOUNTS.owner, `/admin/users?q=${encodeURIComponent(E2E_USER.username)}`);
  await page.getByRole("link", { name: E2E_USER.username }).first().click();
  const status = page.getByRole("region", { name: "Sign-in status" });
  await expect(status).toBeVisible();
  await expect(status.getByTestId("lockout-state")).toContainText("Blocked");

  // The same answer as the API's: the address the attempts came from (IPv4, or the IPv6 loopback's network).
  const userId = decodeURIComponent(new URL(page.url()).pathname.split("/").at(-1)!);
  const api = await page.request.get(`/api/admin/users/${encodeURIComponent(userId)}/lockout`);
  expect(api.status()).toBe(200);
  const explanation = (await api.json()) as TExplanation;
  const cause = explanation.causes.find((c) => c.kind === "brute-force")!;
  expect(cause).toMatchObject({ count: 10 });
  const causeItem = status.getByTestId("lockout-cause-brute-force");
  await expect(causeItem).toContainText(`after 10 wrong passwords`);
  await expect(causeItem).toContainText(cause.ip!);
  await expect(causeItem).toContainText("lifts when an admin unblocks, the user resets the password");

  await causeItem.getByRole("button", { name: `Unblock ${E2E_USER.username}` }).click();
  await expect(status.getByTestId("lockout-state")).toContainText("Clear");
  await expect(status.getByTestId("lockout-cause-brute-force")).toHaveCount(0);

  // Lifted for real: the next password grant succeeds.
  expect((await passwordGrant(request)).status()).toBe(200);
});

test("a role without logs:read is refused the explainer's API (403)", async ({ page }) => {
  await signIn(page, ACCOUNTS.editor, "/admin/rules");
  const res = await page.request.get(`/api/admin/users/${encodeURIComponent("auth0|anyone")}/lockout`);
  expect(res.status()).toBe(403);
});
