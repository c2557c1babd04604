import { describe, expect, it } from "vitest";
import { AdminError, toAdminErrorResponse, type TAdminApi } from "./admin-error.ts";

const APIS: TAdminApi[] = ["dashboard", "management", "rules"];

describe("toAdminErrorResponse", () => {
  it("answers a role refusal (403) with the guard's body on every admin API, never cached", async () => {
    for (const api of APIS) {
      const res = toAdminErrorResponse(AdminError.forbidden(), api);
      expect(res.status, api).toBe(403);
      expect(res.headers.get("cache-control"), api).toBe("no-store");
      expect(await res.json(), api).toEqual({
        error: "forbidden",
        error_description: "Not allowed for your role",
      });
    }
  });

  it("gives a 409 in each API's body, with fields, codes and details only where that API carries them", async () => {
    const err = AdminError.conflict("Name taken", {
      code: "name_taken",
      fields: { name: "Name taken" },
      details: [1],
    });
    const bodies = await Promise.all(APIS.map((api) => toAdminErrorResponse(err, api).json()));
    expect(bodies).toEqual([
      { error: "invalid_request", error_description: "Name taken", fields: { name: "Name taken" } },
      { statusCode: 409, error: "Conflict", message: "Name taken", errorCode: "name_taken" },
      { error: "name_taken", message: "Name taken", details: [1] },
    ]);
    const plain = await toAdminErrorResponse(AdminError.conflict("Name taken"), "rules").json();
    expect(plain).toEqual({ error: "conflict", message: "Name taken" });
  });
});
