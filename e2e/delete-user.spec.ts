import { test, expect } from "@playwright/test";
import { ACCOUNTS, passwordGrant, signIn } from "./helpers";

const DATABASE = "Username-Password-Authentication";
const RUN = Date.now().toString(36);
const PASSWORD = "Delete-Me-Passw0rd!";

test("an owner deletes a user after confirming; the email can be used again; a viewer cannot delete", async ({
  page,
  browser,
}) => {
  const email = `doomed-${RUN}@e2e.test`;
  await signIn(page, ACCOUNTS.owner);
  const api = page.request;
  const created = await api.post("/api/admin/users", {
    data: { connection: DATABASE, email, password: PASSWORD },
  });
  expect(created.status()).toBe(201);
  const { user_id } = (await created.json()) as { user_id: string };
  expect((await passwordGrant(api, { username: email, password: PASSWORD })).status()).toBe(200);

  // A role without users:write sees the user but no Delete button. (The viewer, not the security admin: another
  // spec turns on TOTP for the security admin, whose sign-in then needs a code.)
  const security = await browser.newPage();
  await signIn(security, ACCOUNTS.viewer);
  await security.goto(`/admin/users/${encodeURIComponent(user_id)}`);
  await expect(security.getByRole("heading", { name: email })).toBeVisible();
  await expect(security.getByRole("button", { name: "Delete user" })).toHaveCount(0);
  await security.close();

  await page.goto(`/admin/users/${encodeURIComponent(user_id)}`);
  await page.getByRole("button", { name: "Delete user" }).click();
  const dialog = page.getByRole("dialog", { name: `Delete ${email}?` });
  await expect(dialog).toBeVisible();
  // Cancel changes nothing.
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
  expect((await passwordGrant(api, { username: email, password: PASSWORD })).status()).toBe(200);

  await page.getByRole("button", { name: "Delete user" }).click();
  await dialog.getByRole("button", { name: "Delete user" }).click();
  await expect(page).toHaveURL(/\/admin\/users$/);
  const refused = await passwordGrant(api, { username: email, password: PASSWORD });
  expect(refused.status()).toBe(403);
  expect(await refused.json()).toMatchObject({ error: "invalid_grant" });
  await page.goto(`/admin/users?q=${encodeURIComponent(email)}`);
  await expect(page.getByRole("heading", { name: "Users" })).toBeVisible();
  await expect(page.getByRole("link", { name: email })).toHaveCount(0);

  const again = await api.post("/api/admin/users", {
    data: { connection: DATABASE, email, password: PASSWORD },
  });
  expect(again.status()).toBe(201);
  expect(((await again.json()) as { user_id: string }).user_id).not.toBe(user_id);
});
