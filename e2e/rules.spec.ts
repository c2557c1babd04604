import { test, expect } from "@playwright/test";
import { ACCOUNTS, jwtClaims, passwordGrant, signIn } from "./helpers";

const SCRIPT = `function (user, context, callback) {
  context.accessToken['https://e2e.test/team'] = 'blue';
  console.log('team rule ran');
  callback(null, user, context);
}`;

test("a rule written in the editor: Try shows its claim, enabling puts it in tokens, disabling removes it", async ({
  page,
  request,
}) => {
  const login = async () => {
    const res = await passwordGrant(request);
    expect(res.status()).toBe(200);
    return jwtClaims(((await res.json()) as { access_token: string }).access_token);
  };

  await signIn(page, ACCOUNTS.owner, "/admin/rules");
  await expect(page.getByRole("heading", { name: "Rules", exact: true })).toBeVisible();
  await page.getByLabel("New rule name").fill("e2e-team-claim");
  await page.getByRole("button", { name: "Create rule" }).click();
  await expect(page.getByRole("heading", { name: "Rule: e2e-team-claim" })).toBeVisible();

  await page.locator(".cm-content").click();
  await page.keyboard.press("Control+A");
  await page.keyboard.insertText(SCRIPT);
  await page.getByRole("button", { name: "Try this script" }).click();
  const result = page.getByTestId("try-result");
  await expect(result).toContainText("https://e2e.test/team");
  await expect(result).toContainText("blue");
  await expect(result).toContainText("team rule ran");

  await page.getByRole("button", { name: "Save" }).click();
  // The page refreshes with the new version; the editor's "Saved." stays (it is not remounted).
  await expect(page.getByText(/version 2/)).toBeVisible();
  await expect(page.getByRole("status")).toHaveText("Saved.");
  await page.getByLabel("Enabled").check();
  await expect(page.getByText("· enabled")).toBeVisible();
  await expect.poll(async () => (await login())["https://e2e.test/team"], { timeout: 10_000 }).toBe("blue");

  await page.getByLabel("Enabled").uncheck();
  await expect(page.getByText("· disabled")).toBeVisible();
  await expect
    .poll(async () => (await login())["https://e2e.test/team"], { timeout: 10_000 })
    .toBeUndefined();
});
