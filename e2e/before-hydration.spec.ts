import { test, expect, type Page } from "@playwright/test";
import { ACCOUNTS, signIn } from "./helpers";

// What a user sees before React has attached its handlers: the page's scripts are held back (a slow network), so
// the server's HTML (including streamed sections, which inline scripts reveal) is all there is. Controls that
// would do nothing, or submit natively, stay disabled until the scripts arrive and the page is interactive.

/** Hold every script chunk of `page` until the returned function is called. */
async function holdScripts(page: Page): Promise<() => void> {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  // Scripts only: React reveals a streamed section once its stylesheets have loaded, and holding those would hide
  // the section itself rather than show it before hydration.
  const isScript = (url: URL) =>
    url.pathname.startsWith("/_next/static/chunks/") && url.pathname.endsWith(".js");
  await page.route(isScript, async (route) => {
    await released;
    await route.continue();
  });
  return release;
}

test("before hydration the sign-in form cannot submit, and would never put the password in the URL", async ({
  page,
}) => {
  const release = await holdScripts(page);
  await page.goto("/login", { waitUntil: "commit" });
  const button = page.getByRole("button", { name: "Sign in" });
  await expect(button).toBeVisible();
  await expect(button).toBeDisabled();
  await expect(page.locator("form")).toHaveAttribute("method", "post");
  release();
  await expect(button).toBeEnabled();
});

test("before hydration the dashboard's action buttons are disabled; once interactive they are enabled", async ({
  page,
}) => {
  await signIn(page, ACCOUNTS.owner, "/admin/attack-protection");
  const release = await holdScripts(page);
  await page.goto("/admin/attack-protection", { waitUntil: "commit" });
  // The section streams in after the page's database reads; on a loaded CI machine that took over 5 s once.
  await expect(page.getByRole("heading", { name: "Attack protection" })).toBeVisible({ timeout: 20_000 });
  const save = page.getByRole("button", { name: /^Save / }).first();
  await expect(save).toBeVisible();
  await expect(save).toBeDisabled();
  release();
  await expect(save).toBeEnabled();
});
