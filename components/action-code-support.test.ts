import { describe, expect, it } from "vitest";
import { CompletionContext, type CompletionResult } from "@codemirror/autocomplete";
import { javascript } from "@codemirror/lang-javascript";
import { EditorState } from "@uiw/react-codemirror";
import { samplePostLoginEvent } from "@/server/actions/post-login-event";
import { EVENT_FIELDS, actionCompletionSource, findActionSyntaxError } from "./action-code-support";

/** Completions at the end of `text`, as the editor would ask for them while typing. */
function complete(text: string, secrets: string[] = []): string[] | null {
  const state = EditorState.create({ doc: text, extensions: [javascript()] });
  const result = actionCompletionSource(secrets)(
    new CompletionContext(state, text.length, false),
  ) as CompletionResult | null;
  return result ? result.options.map((o) => o.label) : null;
}

describe("action editor support", () => {
  it("finds no syntax error in module code (exports, require, top-level await-free statements)", () => {
    expect(
      findActionSyntaxError(
        "const _ = require('lodash');\nexports.onExecutePostLogin = async (event, api) => {\n  api.access.deny('x');\n};\n",
      ),
    ).toBeNull();
  });

  it("reports the engine's message at the offending place", () => {
    const code = "exports.onExecutePostLogin = async (event, api) => {\n  var = 1;\n};";
    const e = findActionSyntaxError(code);
    expect(e?.message).toBe("Unexpected token '='");
    expect(code.slice(e!.from, e!.to)).toBe("=");
  });

  it("completes event. and api. members (nested), and event.secrets. with the action's secret names", () => {
    expect(complete("const e = event.")).toEqual(
      expect.arrayContaining(["user", "transaction", "request", "client", "secrets"]),
    );
    expect(complete("event.user.")).toEqual(expect.arrayContaining(["email", "app_metadata", "user_id"]));
    expect(complete("event.transaction.pro")).toContain("protocol");
    expect(complete("api.")).toEqual(
      expect.arrayContaining([
        "access",
        "idToken",
        "accessToken",
        "multifactor",
        "user",
        "cache",
        "redirect",
      ]),
    );
    expect(complete("api.idToken.")).toEqual(["setCustomClaim"]);
    expect(complete("api.accessToken.")).toEqual(["setCustomClaim", "addScope", "removeScope"]);
    expect(complete("event.secrets.", ["API_KEY"])).toEqual(["API_KEY"]);
    expect(complete("event.user.email.")).toBeNull();
    expect(complete("someone.")).toBeNull();
  });

  it("offers every top-level field the server's post-login event has", () => {
    const event = samplePostLoginEvent(new Date());
    for (const key of Object.keys(event)) expect(Object.keys(EVENT_FIELDS)).toContain(key);
    const user = event.user as Record<string, unknown>;
    for (const key of Object.keys(user)) expect(Object.keys(EVENT_FIELDS.user!.fields!)).toContain(key);
  });
});
