import { describe, expect, it } from "vitest";
import { accountPage, isSameOriginPost } from "./account-page-html.ts";

const PUBLIC_URL = "https://portcullis.test";
const post = (headers: Record<string, string>) =>
  new Request(`${PUBLIC_URL}/reset-password`, { method: "POST", headers });

describe("hosted account pages: same-origin form posts", () => {
  it("sends a referrer policy under which a browser's own form POST carries its real Origin", () => {
    // With no-referrer, Chromium posts `Origin: null` and the reset form was refused for every real user.
    const res = accountPage(200, "Change your password", "<form></form>");
    expect(res.headers.get("referrer-policy")).toBe("same-origin");
  });

  it("accepts our own origin, and `Origin: null` only when the browser says same-origin", () => {
    expect(isSameOriginPost(post({ origin: PUBLIC_URL, "sec-fetch-site": "same-origin" }), PUBLIC_URL)).toBe(
      true,
    );
    expect(isSameOriginPost(post({ origin: "null", "sec-fetch-site": "same-origin" }), PUBLIC_URL)).toBe(
      true,
    );
    expect(isSameOriginPost(post({}), PUBLIC_URL)).toBe(true);
  });

  it("refuses other sites, including an `Origin: null` from a cross-site or unknown context", () => {
    expect(isSameOriginPost(post({ origin: "https://evil.example" }), PUBLIC_URL)).toBe(false);
    expect(isSameOriginPost(post({ origin: "null", "sec-fetch-site": "cross-site" }), PUBLIC_URL)).toBe(
      false,
    );
    expect(isSameOriginPost(post({ origin: "null" }), PUBLIC_URL)).toBe(false);
    expect(isSameOriginPost(post({ origin: PUBLIC_URL, "sec-fetch-site": "same-site" }), PUBLIC_URL)).toBe(
      false,
    );
  });
});
