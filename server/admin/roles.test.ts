import { describe, expect, it } from "vitest";
import { PERMISSIONS, ROLES, canPerform, type TAction, type TRole } from "./roles.ts";

// The whole role × action matrix, written out so a change to PERMISSIONS must be made here too, on purpose.
const EXPECTED: Record<TRole, TAction[]> = {
  owner: Object.keys(PERMISSIONS) as TAction[],
  admin: [
    "account:self",
    "config:read",
    "config:write",
    "rules:read",
    "rules:write",
    "actions:read",
    "actions:write",
    "logs:read",
    "users:read",
    "users:write",
    "users:block",
    "mfa:reset",
    "protection:unblock",
  ],
  "rules-editor": ["account:self", "rules:read", "rules:write", "actions:read", "actions:write"],
  security: [
    "account:self",
    "config:read",
    "rules:read",
    "actions:read",
    "logs:read",
    "users:read",
    "users:block",
    "mfa:reset",
    "protection:unblock",
  ],
  viewer: ["account:self", "config:read", "rules:read", "actions:read", "logs:read", "users:read"],
};

describe("role × action matrix", () => {
  for (const role of ROLES) {
    for (const action of Object.keys(PERMISSIONS) as TAction[]) {
      const allowed = EXPECTED[role].includes(action);
      it(`${role} ${allowed ? "may" : "may not"} ${action}`, () => {
        expect(canPerform(role, action)).toBe(allowed);
      });
    }
  }
});

describe("tenant-required TOTP for admins", () => {
  it("an admin who must still set up TOTP may only reach their account screen", async () => {
    const { isAdminAllowed } = await import("./session.ts");
    const owner = { id: "1", email: "o@x", role: "owner" as const, totpEnabled: false, mustEnrollTotp: true };
    expect(isAdminAllowed(owner, "account:self")).toBe(true);
    expect(isAdminAllowed(owner, "logs:read")).toBe(false);
    expect(isAdminAllowed({ ...owner, mustEnrollTotp: false, totpEnabled: true }, "logs:read")).toBe(true);
  });
});
