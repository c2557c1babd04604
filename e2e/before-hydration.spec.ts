import { test, expect } from "@playwright/test";
import { ACCOUNTS, signIn } from "./helpers";

// What a user sees before React has attached its handlers, shown with JavaScript off (the page stays as the server
// sent it): controls that would do nothing, or submit natively, are disabled until the page is interactive.

test("before hydration the sign-in form cannot submit, and would never put the password in the URL", async ({
  browser,
}) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  try {
    const page = await context.newPage();
    await page.goto("/login");
    await expect(page.getByRole("button", { name: "Sign in" })).toBeDisabled();
    await expect(page.locator("form")).toHaveAttribute("method", "post");
  } finally {
    await context.close();
  }
});

test("before hydration the dashboard's action buttons are disabled; once interactive they work", async ({
  browser,
  page,
}) => {
  await signIn(page, ACCOUNTS.owner, "/admin/attack-protection");
  await expect(page.getByRole("button", { name: /^Save / }).first()).toBeEnabled();
  const context = await browser.newContext({
    javaScriptEnabled: false,
    storageState: await page.context().storageState(),
  });
  try {
    const noJs = await context.newPage();
    await noJs.goto("/admin/attack-protection");
    await expect(noJs.getByRole("heading", { name: "Attack protection" })).toBeVisible();
    const save = noJs.getByRole("button", { name: /^Save / }).first();
    await expect(save).toBeVisible();
    await expect(save).toBeDisabled();
  } finally {
    await context.close();
  }
});
