import { afterAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { testDatabaseKinds } from "../../testing/test-deps.ts";
import { useSeededDeps } from "../../testing/use-deps.ts";
import {
  fuzzRuns,
  junkJson,
  junkObject,
  junkString,
  noteOutcome,
  printOutcomes,
  readAnswer,
  uniqueIp,
} from "../../testing/fuzz.ts";
import { CLIENT_IP_HEADER } from "../core/request.ts";
import { handleSignup } from "./signup.ts";
import { handleChangePassword } from "./change-password.ts";
import { showResetPasswordPage, submitResetPasswordPage } from "./reset-password-page.ts";
import { showVerifyEmailPage, submitVerifyEmailPage } from "./verify-email-page.ts";

// Property-based sweep of /dbconnections/signup, /dbconnections/change_password and the hosted reset and verify
// pages: random and mutated bodies never make them fail (5xx); JSON answers are Auth0-shaped (`code` +
// `description`, or `error`), change_password's 200 is always Auth0's sentence, and the pages answer HTML.

const KEYS = [
  "client_id",
  "connection",
  "email",
  "password",
  "username",
  "given_name",
  "family_name",
  "name",
  "nickname",
  "picture",
  "user_metadata",
  "ticket",
  "form_token",
  "password_confirm",
  "__proto__",
];
const CONTENT_TYPES = [
  "application/json",
  "application/x-www-form-urlencoded",
  "text/plain",
  "",
  "multipart/form-data; boundary=x",
];

describe.each(testDatabaseKinds())("/dbconnections fuzz (%s)", (kind) => {
  const s = useSeededDeps(kind);
  afterAll(() => printOutcomes());

  /** A body that is sometimes plausible (right client and connection) and otherwise junk. */
  function bodies(): fc.Arbitrary<Record<string, unknown>> {
    return fc
      .tuple(junkObject(KEYS), fc.boolean(), fc.boolean())
      .map(([junk, isRealClient, isRealConnection]) => ({
        ...(isRealClient ? { client_id: s.fx.clients.spa.clientId } : {}),
        ...(isRealConnection ? { connection: s.fx.connections.database.name } : {}),
        ...junk,
      }));
  }

  function encode(body: Record<string, unknown>, contentType: string, raw: string | null): string {
    if (raw !== null) return raw;
    if (contentType.startsWith("application/x-www-form-urlencoded")) {
      const p = new URLSearchParams();
      for (const [k, v] of Object.entries(body))
        p.append(k, typeof v === "string" ? v : (JSON.stringify(v) ?? ""));
      return p.toString();
    }
    return JSON.stringify(body);
  }

  it("never answers 5xx and always in Auth0's shape", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("signup", "change_password", "reset-get", "reset-post", "verify-get", "verify-post"),
        bodies(),
        fc.constantFrom(...CONTENT_TYPES),
        fc.option(
          fc.oneof(
            junkString(),
            junkJson().map((j) => JSON.stringify(j) ?? ""),
          ),
          { freq: 4 },
        ),
        async (target, body, contentType, raw) => {
          const headers = new Headers({ [CLIENT_IP_HEADER]: uniqueIp() });
          if (contentType) headers.set("content-type", contentType);
          const text = encode(body, contentType, raw);
          const post = (path: string) =>
            new Request(`https://portcullis.test${path}`, { method: "POST", headers, body: text });
          const ticket = typeof body.ticket === "string" ? body.ticket : text.slice(0, 80);
          const get = (path: string) =>
            new Request(`https://portcullis.test${path}?${new URLSearchParams({ ticket }).toString()}`);
          const res =
            target === "signup"
              ? await handleSignup(post("/dbconnections/signup"), s.deps)
              : target === "change_password"
                ? await handleChangePassword(post("/dbconnections/change_password"), s.deps)
                : target === "reset-get"
                  ? await showResetPasswordPage(get("/reset-password"), s.deps)
                  : target === "reset-post"
                    ? await submitResetPasswordPage(post("/reset-password"), s.deps)
                    : target === "verify-get"
                      ? await showVerifyEmailPage(get("/verify-email"), s.deps)
                      : await submitVerifyEmailPage(post("/verify-email"), s.deps);
          const a = await readAnswer(res);
          noteOutcome(`dbconnections ${target} ${a.status}`);
          expect(a.status, `${target} ${contentType} ${text.slice(0, 200)}`).toBeLessThan(500);
          if (target.endsWith("-get") || target.endsWith("-post")) {
            expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
            // A random ticket never opens a form.
            expect(a.text).not.toContain('name="password"');
            return;
          }
          if (target === "change_password" && a.status === 200) {
            expect(a.text).toBe("We've just sent you an email to reset your password.");
            return;
          }
          const b = a.body as Record<string, unknown>;
          expect(
            typeof b.error === "string" || (typeof b.code === "string" && b.statusCode === a.status),
          ).toBe(true);
          expect(JSON.stringify(b)).not.toMatch(/stack|at \w+ \(/);
        },
      ),
      fuzzRuns(150),
    );
  });
});
