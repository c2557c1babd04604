import { describe, expect, it } from "vitest";
import { z } from "zod";
import { formatIssuePath, formatZodIssues, zodProblems } from "./zod-issues.ts";

describe("zod-issue formatting", () => {
  it("writes paths as in the YAML or JSON: dots between keys, brackets around indices", () => {
    expect(formatIssuePath(["clients", 2, "name"])).toBe("clients[2].name");
    expect(formatIssuePath([0, "a"])).toBe("[0].a");
    expect(formatIssuePath([])).toBe("");
  });

  it("lists every problem; a problem with the whole value has no path; unknown keys are named fields", () => {
    const schema = z.strictObject({ grants: z.array(z.string()), n: z.number() });
    const r = schema.safeParse({ grants: ["a", 1], extra: true, more: 1 });
    expect(r.success).toBe(false);
    if (r.success) return;
    const problems = zodProblems(r.error);
    expect(problems.map((p) => p.path)).toEqual(["grants[1]", "n", ""]);
    expect(problems.at(-1)?.message).toBe('unknown fields "extra", "more"');
    expect(formatZodIssues(r.error)).toMatch(/^grants\[1\]: .+; n: .+; unknown fields "extra", "more"$/);
    const nested = z.object({ a: z.strictObject({}) }).safeParse({ a: { x: 1 } });
    if (!nested.success) expect(formatZodIssues(nested.error)).toBe('a: unknown field "x"');
  });

  it("places the paths of a value parsed on its own under where it sits in the document", () => {
    const r = z.object({ totp: z.object({ secret: z.string() }) }).safeParse({ totp: {} });
    if (r.success) throw new Error("expected a failure");
    expect(zodProblems(r.error, ["mfa_factors", 0]).map((p) => p.path)).toEqual([
      "mfa_factors[0].totp.secret",
    ]);
  });
});
