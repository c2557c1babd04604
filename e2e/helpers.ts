import { expect, type Page } from "@playwright/test";

// What the specs share: the admins of playwright.config.ts and a dashboard sign-in.

export type Account = { email: string; password: string };

/** The dashboard admins created by playwright.config.ts, one per role. */
export const ACCOUNTS = {
  owner: { email: "owner@e2e.test", password: "owner-password-123" },
  editor: { email: "editor@e2e.test", password: "editor-password-123" },
  security: { email: "security@e2e.test", password: "security-password-123" },
  viewer: { email: "viewer@e2e.test", password: "viewer-password-123" },
} satisfies Record<string, Account>;

/** Open `path`, which redirects to the sign-in form, and submit `account` there; nothing waits for the outcome. */
export async function submitSignIn(page: Page, account: Account, path = "/admin") {
  await page.goto(path);
  await expect(page).toHaveURL(/\/login/);
  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** Sign in to the dashboard from `path`; done once its navigation shows (the session cookie is set by then). */
export async function signIn(page: Page, account: Account, path = "/admin") {
  await submitSignIn(page, account, path);
  await expect(page.getByRole("navigation", { name: "Dashboard" })).toBeVisible();
}
