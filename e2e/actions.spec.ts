import { test, expect } from "@playwright/test";
import { ACCOUNTS, jwtClaims, passwordGrant, signIn } from "./helpers";

const CLAIM = "https://e2e.test/team";
const CODE = `exports.onExecutePostLogin = async (event, api) => {
  console.log('team action ran for ' + event.user.email);
  api.idToken.setCustomClaim('${CLAIM}', 'blue');
};
`;

test("an action written in the editor: Try shows its claim, deployed and bound it is in ID tokens, rolled back it is gone", async ({
  page,
  request,
}) => {
  const idTokenClaim = async () => {
    const res = await passwordGrant(request, { scope: "openid" });
    expect(res.status()).toBe(200);
    return jwtClaims(((await res.json()) as { id_token: string }).id_token)[CLAIM];
  };
  expect(await idTokenClaim()).toBeUndefined();

  await signIn(page, ACCOUNTS.owner, "/admin/actions");
  await expect(page.getByRole("heading", { name: "Actions", exact: true })).toBeVisible();
  await page.getByLabel("New action name").fill("e2e-team-claim");
  await page.getByRole("button", { name: "Create action" }).click();
  await expect(page.getByRole("heading", { name: "Action: e2e-team-claim" })).toBeVisible();
  await expect(page.getByTestId("deploy-state")).toContainText("Not deployed yet");

  // Version 1: the template, which sets no claim.
  await page.getByRole("button", { name: "Deploy", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "Deployed as version 1." })).toBeVisible();

  // Write the claim in the editor, with completion of api. members.
  await page.locator(".cm-content").click();
  await page.keyboard.press("Control+A");
  await page.keyboard.insertText(CODE);
  await expect(page.getByTestId("code-problems")).toContainText("No syntax errors.");
  await page.getByRole("button", { name: "Try this code" }).click();
  const result = page.getByTestId("try-result");
  await expect(result).toContainText("Completed");
  await expect(page.getByTestId("try-id-token-claims")).toContainText(CLAIM);
  await expect(page.getByTestId("try-id-token-claims")).toContainText("blue");
  await expect(result).toContainText("team action ran for");

  // Trying persisted nothing and deployed nothing.
  expect(await idTokenClaim()).toBeUndefined();
  await page.getByRole("button", { name: "Save and deploy" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Deployed as version 2." })).toBeVisible();
  await expect(page.getByTestId("deploy-state")).toContainText("Deployed version 2 · all changes deployed");
  // Deployed but not bound: logins do not run it yet.
  expect(await idTokenClaim()).toBeUndefined();

  // Bind it in the post-login flow.
  await page.getByRole("link", { name: "Post-login flow" }).click();
  await expect(page.getByRole("heading", { name: "Post-login flow" })).toBeVisible();
  await page.getByLabel("Add a deployed action").selectOption({ label: "e2e-team-claim" });
  await page.getByRole("button", { name: "Add to flow" }).click();
  await page.getByRole("button", { name: "Save flow" }).click();
  await expect(page.getByText("Flow saved")).toBeVisible();
  await expect(page.getByTestId("flow-binding")).toHaveCount(1);
  await expect.poll(idTokenClaim, { timeout: 10_000 }).toBe("blue");

  // The library shows it deployed and bound.
  await page.goto("/admin/actions");
  const row = page.getByTestId("action-row").filter({ hasText: "e2e-team-claim" });
  await expect(row).toContainText("version 2");
  await expect(row).toContainText("bound: post-login");

  // Roll back to version 1 (no claim) from the history, after looking at the diff.
  await row.getByRole("link", { name: "e2e-team-claim" }).click();
  await page.getByRole("link", { name: "Version history" }).click();
  await expect(page.getByRole("heading", { name: "Version history: e2e-team-claim" })).toBeVisible();
  await page.getByRole("link", { name: "Compare version 1 with the draft" }).click();
  await expect(page.getByTestId("version-diff")).toContainText("setCustomClaim");
  await page.getByRole("button", { name: "Roll back to version 1" }).click();
  const dialog = page.getByRole("dialog", { name: 'Roll "e2e-team-claim" back to version 1?' });
  await dialog.getByRole("button", { name: "Roll back to version 1" }).click();
  await expect(page.getByText("Rolled back: version 1 is deployed again as version 3.")).toBeVisible();
  await expect.poll(idTokenClaim, { timeout: 10_000 }).toBeUndefined();
});

test("a viewer reads actions and the flow but cannot change them", async ({ page }) => {
  await signIn(page, ACCOUNTS.viewer, "/admin/actions");
  await expect(page.getByRole("heading", { name: "Actions", exact: true })).toBeVisible();
  await expect(page.getByText("Your role can read actions but not change them.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Create action" })).toHaveCount(0);
  await page.goto("/admin/actions/flows/post-login");
  await expect(page.getByRole("heading", { name: "Post-login flow" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Save flow" })).toHaveCount(0);
});
