import { test, expect } from "@playwright/test";

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
  const res = await request.post("/oauth/token", {
    form: {
      grant_type: "password",
      client_id: "e2e-web-app",
      client_secret: "e2e-web-app-secret-0123456789abcdef0123456789abcdef",
      username: "e2e.user@example.com",
      password: "E2e-Passw0rd!",
      scope: "openid profile email offline_access",
    },
  });
  expect(res.status()).toBe(200);
  expect(res.headers()["cache-control"]).toBe("no-store");
  const body = (await res.json()) as Record<string, string>;
  expect(body.token_type).toBe("Bearer");
  expect(body.refresh_token).toBeTruthy();
  const info = await request.get("/userinfo", { headers: { authorization: `Bearer ${body.access_token}` } });
  expect(info.status()).toBe(200);
  expect(((await info.json()) as Record<string, string>).email).toBe("e2e.user@example.com");

  const wrong = await request.post("/oauth/token", {
    form: {
      grant_type: "password",
      client_id: "e2e-web-app",
      client_secret: "e2e-web-app-secret-0123456789abcdef0123456789abcdef",
      username: "e2e.user@example.com",
      password: "nope",
    },
  });
  expect(wrong.status()).toBe(403);
  expect(await wrong.json()).toEqual({
    error: "invalid_grant",
    error_description: "Wrong email or password.",
  });
});
