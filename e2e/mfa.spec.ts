import { test, expect, type APIRequestContext, type Page } from "@playwright/test";
import { generate } from "otplib";
import { ACCOUNTS, jwtClaims, passwordGrant, signIn } from "./helpers";

const CLIENT = {
  client_id: "e2e-mfa-app",
  client_secret: "e2e-mfa-app-secret-0123456789abcdef0123456789abcdef",
};
const USER = { username: "e2e.mfa@example.com", password: "E2e-Passw0rd!" };

async function setPolicy(page: Page, label: RegExp) {
  await page.goto("/admin/mfa");
  await expect(page.getByRole("heading", { name: "Multi-factor authentication" })).toBeVisible();
  await page.getByRole("radio", { name: label }).check();
  await page.getByRole("button", { name: "Save MFA settings" }).click();
  await expect(page.getByRole("status")).toHaveText("Saved.");
}

async function passwordLogin(request: APIRequestContext) {
  const res = await passwordGrant(request, { ...CLIENT, ...USER });
  return { status: res.status(), body: (await res.json()) as Record<string, string> };
}

async function associate(request: APIRequestContext, mfaToken: string) {
  const res = await request.post("/mfa/associate", {
    headers: { authorization: `Bearer ${mfaToken}` },
    data: { authenticator_types: ["otp"] },
  });
  return { status: res.status(), body: (await res.json()) as Record<string, unknown> };
}

test("an admin enables MFA, a user enrols over the API, the admin resets it, the next login enrols again", async ({
  page,
  request,
}) => {
  await signIn(page, ACCOUNTS.owner);
  await setPolicy(page, /^Always/);

  try {
    const first = await passwordLogin(request);
    expect(first.status).toBe(403);
    expect(first.body.error).toBe("mfa_required");
    expect(first.body.error_description).toBe("Multifactor authentication required");
    const enrolled = await associate(request, first.body.mfa_token!);
    expect(enrolled.status).toBe(200);
    expect(String(enrolled.body.barcode_uri)).toMatch(/^otpauth:\/\/totp\//);
    const secret = String(enrolled.body.secret);

    const otp = await request.post("/oauth/token", {
      form: {
        grant_type: "http://auth0.com/oauth/grant-type/mfa-otp",
        ...CLIENT,
        mfa_token: first.body.mfa_token!,
        otp: await generate({ secret }),
      },
    });
    expect(otp.status()).toBe(200);
    const accessToken = ((await otp.json()) as { access_token: string }).access_token;
    const sub = jwtClaims(accessToken).sub as string;

    // Enrolled: a new mfa_token may not add another factor.
    const second = await passwordLogin(request);
    expect((await associate(request, second.body.mfa_token!)).status).toBe(403);

    await page.goto(`/admin/users/${encodeURIComponent(sub)}`);
    const list = page.getByRole("list", { name: "MFA authenticators" });
    await expect(list).toContainText("totp|");
    await expect(list).toContainText("active since");
    page.once("dialog", (d) => void d.accept());
    // The MFA section's button (the sign-in status above may offer its own, when earlier specs left failed codes).
    await page
      .getByRole("region", { name: "MFA authenticators" })
      .getByRole("button", { name: "Reset MFA" })
      .click();
    await expect(page.getByText("No MFA authenticators enrolled.")).toBeVisible();

    const third = await passwordLogin(request);
    expect(third.status).toBe(403);
    const again = await associate(request, third.body.mfa_token!);
    expect(again.status).toBe(200);
    expect(again.body.recovery_codes).toHaveLength(1);
  } finally {
    // Leave the shared tenant as the other specs expect it.
    await setPolicy(page, /^Never/);
  }
});
