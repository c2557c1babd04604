import { describe, expect, it } from "vitest";
import { CompletionContext, type CompletionResult } from "@codemirror/autocomplete";
import { javascript } from "@codemirror/lang-javascript";
import { EditorState } from "@uiw/react-codemirror";
import { findSyntaxError, ruleCompletionSource } from "./rule-script-support";

/** Completions at the end of `text`, as the editor would ask for them while typing. */
function complete(text: string, keys: string[] = []): string[] | null {
  const state = EditorState.create({ doc: text, extensions: [javascript()] });
  const result = ruleCompletionSource(keys)(
    new CompletionContext(state, text.length, false),
  ) as CompletionResult | null;
  return result ? result.options.map((o) => o.label) : null;
}

describe("rule editor support", () => {
  it("finds no syntax error in a valid rule, also with Auth0's tolerated trailing semicolon", () => {
    expect(
      findSyntaxError("function (user, context, callback) {\n  callback(null, user, context);\n}"),
    ).toBeNull();
    expect(
      findSyntaxError("function (user, context, callback) { callback(null, user, context); };\n"),
    ).toBeNull();
  });

  it("reports the engine's message at the offending place", () => {
    const script = "function (user, context, callback) {\n  var = 1;\n}";
    const e = findSyntaxError(script);
    expect(e?.message).toBe("Unexpected token '='");
    expect(script.slice(e!.from, e!.to)).toBe("=");
  });

  it("refuses two functions, as the sandbox does (a rule is one function expression)", () => {
    expect(findSyntaxError("function a() {}\nfunction b() {}")).not.toBeNull();
  });

  it("completes user., context. (nested) and configuration. with setting names", () => {
    expect(complete("var e = user.")).toEqual(expect.arrayContaining(["email", "app_metadata", "user_id"]));
    expect(complete("if (context.")).toEqual(expect.arrayContaining(["clientID", "protocol", "redirect"]));
    expect(complete("context.request.geo")).toEqual(expect.arrayContaining(["geoip", "ip"]));
    expect(complete("context.request.geoip.")).toContain("country_code");
    expect(complete("configuration.", ["API_KEY", "with-dash"])).toEqual(["API_KEY", "with-dash"]);
    expect(complete("user.email.")).toBeNull();
    expect(complete("someone.")).toBeNull();
  });
});
