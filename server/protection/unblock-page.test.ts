import { describe, expect, it } from "vitest";
import { accountPage } from "../oauth/dbconnections/account-page-html.ts";
import { unblockResultPage } from "./unblock-page.ts";

const styleOf = (html: string) => /<style>([\s\S]*)<\/style>/.exec(html)?.[1];

describe("unblock result page", () => {
  it.each([
    ["unblocked", 200, "Your account is unblocked", "You can log in again."],
    ["not_blocked", 200, "Nothing to unblock", "Your account is not blocked (any more). You can log in."],
    ["invalid", 400, "This unblock link is not valid", "It was already used, or it has expired."],
  ] as const)("%s: %i, one heading and its text inside main", async (outcome, status, title, text) => {
    const res = unblockResultPage(outcome);
    expect(res.status).toBe(status);
    const html = await res.text();
    expect(html).toContain(`<title>${title} · Portcullis</title>`);
    expect(html).toMatch(new RegExp(`<main><h1>${title}</h1><p>${text.replace(/[().]/g, "\\$&")}`));
    expect(html.match(/<h1>/g)).toHaveLength(1);
  });

  it("has the account pages' look, light and dark, from their shared style (no inline styles of its own)", async () => {
    const html = await unblockResultPage("unblocked").text();
    const style = styleOf(html);
    expect(style).toBe(styleOf(await accountPage(200, "x", "").text()));
    expect(style).toContain("color-scheme:light dark");
    expect(style).toMatch(/@media \(prefers-color-scheme:dark\)\{:root\{--bg:/);
    expect(style).toContain("background:var(--bg);color:var(--fg)");
    expect(html).not.toMatch(/\sstyle=/);
    expect(html).toContain('<meta name="viewport"');
    expect(html).not.toMatch(/<script/i);
  });

  it("keeps its security headers: not framable, no referrer to other sites, never cached, not sniffable", () => {
    for (const outcome of ["unblocked", "not_blocked", "invalid"] as const) {
      const h = unblockResultPage(outcome).headers;
      expect(h.get("content-type")).toBe("text/html; charset=utf-8");
      expect(h.get("cache-control")).toBe("no-store");
      expect(h.get("referrer-policy")).toBe("same-origin");
      expect(h.get("x-frame-options")).toBe("DENY");
      expect(h.get("x-content-type-options")).toBe("nosniff");
      const csp = h.get("content-security-policy") ?? "";
      for (const d of [
        "default-src 'none'",
        "style-src 'unsafe-inline'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
      ])
        expect(csp).toContain(d);
      expect(csp).not.toMatch(/script-src/);
    }
  });
});
