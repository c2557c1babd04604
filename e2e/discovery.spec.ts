import { test, expect } from "@playwright/test";
import { passwordGrant } from "./helpers";

test("the discovery document loads in the browser and names the token endpoint", async ({
  page,
  baseURL,
}) => {
  const response = await page.goto("/.well-known/openid-configuration");
  expect(response?.status()).toBe(200);
  const doc = JSON.parse((await page.locator("body").innerText()).trim()) as Record<string, unknown>;
  expect(doc.issuer).toBe(`${baseURL}/`);
  expect(doc.token_endpoint).toBe(`${baseURL}/oauth/token`);
  expect(doc.grant_types_supported).toContain("http://auth0.com/oauth/grant-type/password-realm");
});

test("a password grant through the /oauth/token alias returns tokens that /userinfo accepts", async ({
  page,
  request,
}) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Portcullis" })).toBeVisible();
  const res = await passwordGrant(request, { scope: "openid profile email offline_access" });
  expect(res.status()).toBe(200);
  expect(res.headers()["cache-control"]).toBe("no-store");
  const body = (await res.json()) as Record<string, string>;
  expect(body.token_type).toBe("Bearer");
  expect(body.refresh_token).toBeTruthy();
  const info = await request.get("/userinfo", { headers: { authorization: `Bearer ${body.access_token}` } });
  expect(info.status()).toBe(200);
  expect(((await info.json()) as Record<string, string>).email).toBe("e2e.user@example.com");

  const wrong = await passwordGrant(request, { password: "nope" });
  expect(wrong.status()).toBe(403);
  expect(await wrong.json()).toEqual({
    error: "invalid_grant",
    error_description: "Wrong email or password.",
  });
});
