import { test, expect } from "@playwright/test";
import { ACCOUNTS, signIn } from "./helpers";

const SECRET = "e2e-web-app-secret-0123456789abcdef0123456789abcdef";
const SCRIPT = `function (user, context, callback) {
  context.accessToken['https://e2e.test/team'] = 'blue';
  console.log('team rule ran');
  callback(null, user, context);
}`;

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString("utf8")) as Record<
    string,
    unknown
  >;
}

test("a rule written in the editor: Try shows its claim, enabling puts it in tokens, disabling removes it", async ({
  page,
  request,
}) => {
  const login = async () => {
    const res = await request.post("/oauth/token", {
      form: {
        grant_type: "password",
        client_id: "e2e-web-app",
        client_secret: SECRET,
        username: "e2e.user@example.com",
        password: "E2e-Passw0rd!",
      },
    });
    expect(res.status()).toBe(200);
    return claimsOf(((await res.json()) as { access_token: string }).access_token);
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
