import { test, expect } from "@playwright/test";

// No page of Portcullis may be framed by another site: the dashboard's buttons (Unblock, Delete user, Save) could
// be clickjacked, and the unblock page's URL holds a secret. Every answer says so, and never sends a URL elsewhere.
for (const path of [
  "/login",
  "/admin",
  "/admin/users",
  "/unblock/not-a-real-token",
  "/reset-password?ticket=x",
]) {
  test(`${path} cannot be framed and sends no referrer to other sites`, async ({ request }) => {
    const res = await request.get(path, { maxRedirects: 0 });
    const h = res.headers();
    expect(h["x-frame-options"], path).toBe("DENY");
    expect(h["content-security-policy"], path).toContain("frame-ancestors 'none'");
    expect(h["x-content-type-options"], path).toBe("nosniff");
    expect(h["referrer-policy"], path).toBe("same-origin");
  });
}

test("a page of Portcullis inside another site's frame stays blank", async ({ page }) => {
  // "load" waits for the frame too: without the headers the sign-in form (server-rendered) would be in it by then.
  await page.setContent(
    '<iframe id="f" src="http://localhost:' + (process.env.E2E_PORT ?? "3100") + '/login"></iframe>',
    { waitUntil: "load" },
  );
  const frame = page.frameLocator("#f");
  await expect(frame.getByRole("button", { name: "Sign in" })).toHaveCount(0);
});
