import { describe, expect, it } from "vitest";
import { DEFAULT_CALLBACK_PATH, resolveCallbackUrl } from "./resolve-callback-url.ts";
import { authOptions } from "./auth-options.ts";

const ORIGIN = "https://portcullis.test";

/** Callback URLs an attacker would put in a sign-in link: each must end on our own origin. */
const HOSTILE_CALLBACK_URLS = [
  "//evil.com",
  "///evil.com",
  "/\\evil.com",
  "\\\\evil.com",
  "\\/evil.com",
  "/\t/evil.com",
  "/\n/evil.com",
  "/\r\n/evil.com",
  "\t//evil.com",
  " //evil.com",
  "/\u0000/evil.com",
  "/./\\evil.com",
  "/.//evil.com",
  "/admin/..//evil.com",
  "/admin/../\\evil.com",
  "/%2F/evil.com",
  "/%5Cevil.com",
  "%2F%2Fevil.com",
  "https://evil.com",
  "https://evil.com/admin",
  "http://portcullis.test/admin",
  "https://portcullis.test.evil.com/admin",
  "https://portcullis.test@evil.com/",
  "https:evil.com",
  "HTTPS://EVIL.COM",
  "javascript:alert(document.domain)",
  "JavaScript:alert(1)",
  " javascript:alert(1)",
  "java\tscript:alert(1)",
  "data:text/html,<script>alert(1)</script>",
  "vbscript:msgbox(1)",
  "blob:https://evil.com/x",
  "ftp://evil.com",
  "//evil.com/%2F..",
  "/\\/evil.com",
  "\u3000//evil.com",
  "https://[::1]/",
  "https://portcullis.test:444/admin",
];

/**
 * Wherever a path is resolved later (browser, next-auth, against another origin), and even after a careless
 * decode, it stays on the origin it is resolved against.
 */
function expectSameOriginPath(path: string): void {
  for (const p of [path, decodeURIComponent(path)]) {
    expect(p.startsWith("/") && !p.startsWith("//")).toBe(true);
    expect(p).not.toMatch(/[\\\t\n\r\0]/);
    expect(new URL(p, ORIGIN).origin).toBe(ORIGIN);
    expect(new URL(p, "https://elsewhere.example").host).toBe("elsewhere.example");
  }
}

describe("resolveCallbackUrl", () => {
  it.each(HOSTILE_CALLBACK_URLS)("%j resolves to a path on our own origin", (value) => {
    const path = resolveCallbackUrl(value, ORIGIN);
    expectSameOriginPath(path);
    // Refused outright, except where the value really is one of our own paths.
    if (path !== "/admin") expect(["/evil.com", "/%E3%80%80//evil.com"]).toContain(path);
  });

  it("keeps same-origin paths, query and fragment, and resolves absolute same-origin URLs to their path", () => {
    expect(resolveCallbackUrl("/admin/users?q=a%20b#top", ORIGIN)).toBe("/admin/users?q=a%20b#top");
    expect(resolveCallbackUrl(`${ORIGIN}/admin/rules`, ORIGIN)).toBe("/admin/rules");
    expect(resolveCallbackUrl("/admin/../admin/logs", ORIGIN)).toBe("/admin/logs");
    expect(resolveCallbackUrl("/admin/users?next=%2F%2Fx", ORIGIN)).toBe("/admin/users?next=%2F%2Fx");
  });

  it("falls back to /admin for missing, empty, non-string and unparseable values", () => {
    for (const v of [undefined, null, "", ["/admin/users"], 42])
      expect(resolveCallbackUrl(v, ORIGIN)).toBe("/admin");
    expect(resolveCallbackUrl("/admin", "not an origin")).toBe("/admin");
    expect(DEFAULT_CALLBACK_PATH).toBe("/admin");
  });
});

describe("next-auth's redirect callback", () => {
  const redirect = authOptions.callbacks?.redirect;

  it.each(HOSTILE_CALLBACK_URLS)("sends %j to our own origin", async (url) => {
    expect(redirect).toBeTypeOf("function");
    const target = new URL(await redirect!({ url, baseUrl: ORIGIN }));
    expect(target.origin).toBe(ORIGIN);
    expectSameOriginPath(`${target.pathname}${target.search}${target.hash}`);
  });

  it("keeps a same-origin callback", async () => {
    expect(await redirect!({ url: "/admin/users", baseUrl: ORIGIN })).toBe(`${ORIGIN}/admin/users`);
  });
});
