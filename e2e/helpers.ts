import { expect, type APIRequestContext, type Page } from "@playwright/test";

// What the specs share: the fixed tenant of e2e/fixtures and playwright.config.ts, a dashboard sign-in,
// a password grant and a token's claims.

export type Account = { email: string; password: string };

/** The dashboard admins, one per role; playwright.config.ts creates them before the server starts. */
export const ACCOUNTS = {
  owner: { email: "owner@e2e.test", password: "owner-password-123", role: "owner" },
  editor: { email: "editor@e2e.test", password: "editor-password-123", role: "rules-editor" },
  security: { email: "security@e2e.test", password: "security-password-123", role: "security" },
  viewer: { email: "viewer@e2e.test", password: "viewer-password-123", role: "viewer" },
} satisfies Record<string, Account & { role: string }>;

/** The "E2E Web App" client of e2e/fixtures/tenant.yaml, as /oauth/token form fields. */
export const WEB_APP = {
  client_id: "e2e-web-app",
  client_secret: "e2e-web-app-secret-0123456789abcdef0123456789abcdef",
};

/** The user of e2e/fixtures/users.json, as /oauth/token form fields. */
export const E2E_USER = { username: "e2e.user@example.com", password: "E2e-Passw0rd!" };

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

/** A password grant of the e2e user through the web app; `form` replaces or adds fields. */
export function passwordGrant(request: APIRequestContext, form: Record<string, string> = {}) {
  return request.post("/oauth/token", { form: { grant_type: "password", ...WEB_APP, ...E2E_USER, ...form } });
}

/** The claims of a JWT (its payload, not verified). */
export function jwtClaims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString("utf8")) as Record<
    string,
    unknown
  >;
}
