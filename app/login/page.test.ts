import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isValidElement, type ReactElement } from "react";
import { setDeps } from "@/server/config/deps";
import { createTestDeps, type TTestDeps } from "@/server/testing/test-deps";
import { SignInForm } from "@/components/sign-in-form";
import LoginPage from "./page";

/** The callbackUrl the page hands to the sign-in form (which follows it after a successful sign-in). */
async function formTarget(callbackUrl: string): Promise<string> {
  const page = await LoginPage({ searchParams: Promise.resolve({ callbackUrl }) });
  const find = (node: unknown): string | null => {
    if (Array.isArray(node)) return node.map(find).find((v) => v !== null) ?? null;
    if (!isValidElement(node)) return null;
    const el = node as ReactElement<{ callbackUrl?: string; children?: unknown }>;
    if (el.type === SignInForm) return el.props.callbackUrl ?? null;
    return find(el.props.children);
  };
  const target = find(page);
  if (target === null) throw new Error("the page renders no sign-in form");
  return target;
}

describe("sign-in page callbackUrl", () => {
  let deps: TTestDeps;
  beforeAll(async () => {
    deps = await createTestDeps("sqlite");
    setDeps(deps);
  });
  afterAll(async () => deps?.cleanup());

  it.each([
    "/\\evil.com",
    "/\t/evil.com",
    "/\\/evil.com",
    "\\\\evil.com",
    "https://evil.com/admin",
    "javascript:alert(1)",
  ])("hands the form a same-origin path for %j", async (callbackUrl) => {
    expect(await formTarget(callbackUrl)).toBe("/admin");
  });

  it("keeps a dashboard path, also given as an absolute URL on PUBLIC_URL", async () => {
    expect(await formTarget("/admin/users?page=2")).toBe("/admin/users?page=2");
    expect(await formTarget(`${deps.env.PUBLIC_URL}/admin/rules`)).toBe("/admin/rules");
  });
});
