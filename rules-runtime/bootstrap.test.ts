import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { BOOTSTRAP } from "./bootstrap.generated.ts";

describe("sandbox bootstrap", () => {
  it("is sandbox/environment.js, harden.js, pipeline.js and actions-pipeline.js verbatim in one function scope, and the committed build is current", async () => {
    // @ts-expect-error -- a plain .mjs build script without type declarations
    const { renderBootstrap, readPart } = (await import("../scripts/build-rules-bootstrap.mjs")) as {
      renderBootstrap(): string;
      readPart(text: string, name: string): string;
    };
    for (const part of ["environment.js", "harden.js", "pipeline.js", "actions-pipeline.js"]) {
      const code = readPart(readFileSync(`rules-runtime/sandbox/${part}`, "utf8"), part);
      expect(code.length).toBeGreaterThan(1000);
      expect(BOOTSTRAP.includes(code)).toBe(true);
    }
    expect(BOOTSTRAP.startsWith('(function () {\n  "use strict";\n')).toBe(true);
    expect(
      BOOTSTRAP.endsWith("  return { __proto__: null, start: start, installActions: installActions };\n})()"),
    ).toBe(true);
    expect(renderBootstrap()).toBe(readFileSync("rules-runtime/bootstrap.generated.ts", "utf8"));
  });
});
