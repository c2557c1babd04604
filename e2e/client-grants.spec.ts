import { test, expect, type APIRequestContext } from "@playwright/test";
import { ACCOUNTS, jwtClaims, signIn } from "./helpers";

// Machine-to-machine access set on the dashboard decides what a client_credentials request over HTTP gets.
const WORKER = {
  client_id: "e2e-worker",
  client_secret: "e2e-worker-secret-0123456789abcdef0123456789abcdef0123",
};
const API = "https://api.e2e.test/";

function workerToken(request: APIRequestContext) {
  return request.post("/oauth/token", {
    form: { grant_type: "client_credentials", ...WORKER, audience: API },
  });
}

test("authorizing an application on the API screen lets it get client_credentials tokens; revoking it on the application screen stops them", async ({
  page,
  request,
}) => {
  const before = await workerToken(request);
  expect(before.status()).toBe(403);
  expect(await before.json()).toMatchObject({ error: "access_denied" });

  await signIn(page, ACCOUNTS.owner);
  await page.goto("/admin/apis");
  await page.getByRole("link", { name: "E2E API" }).click();
  const row = page.getByRole("form", { name: "Access: E2E Worker" });
  await row.getByLabel("Authorized (client_credentials tokens)").check();
  await row.getByLabel("read:items").check();
  await row.getByRole("button", { name: "Save" }).click();
  await expect(row.getByRole("status")).toHaveText("Saved.");

  const granted = await workerToken(request);
  expect(granted.status()).toBe(200);
  const body = (await granted.json()) as { access_token: string; scope: string };
  expect(body.scope).toBe("read:items");
  expect(jwtClaims(body.access_token)).toMatchObject({
    sub: `${WORKER.client_id}@clients`,
    gty: "client-credentials",
    azp: WORKER.client_id,
    aud: API,
  });

  await page.goto(`/admin/applications/${WORKER.client_id}`);
  const apiRow = page.getByRole("form", { name: "Access: E2E API" });
  await expect(apiRow.getByLabel("Authorized (client_credentials tokens)")).toBeChecked();
  await expect(apiRow.getByLabel("read:items")).toBeChecked();
  await apiRow.getByLabel("Authorized (client_credentials tokens)").uncheck();
  await apiRow.getByRole("button", { name: "Save" }).click();
  await expect(apiRow.getByRole("status")).toHaveText("Saved.");
  expect((await workerToken(request)).status()).toBe(403);
});
