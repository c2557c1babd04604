import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { BOOTSTRAP } from "./bootstrap.generated.ts";

describe("sandbox bootstrap", () => {
  it("is sandbox/bootstrap.js verbatim from its first line of code, and the committed build is current", async () => {
    // @ts-expect-error -- a plain .mjs build script without type declarations
    const { renderBootstrap } = (await import("../scripts/build-rules-bootstrap.mjs")) as {
      renderBootstrap(): string;
    };
    const source = readFileSync("rules-runtime/sandbox/bootstrap.js", "utf8");
    expect(source.endsWith(`\n${BOOTSTRAP}\n`)).toBe(true);
    expect(BOOTSTRAP.startsWith('(function () {\n  "use strict";\n')).toBe(true);
    expect(renderBootstrap()).toBe(readFileSync("rules-runtime/bootstrap.generated.ts", "utf8"));
  });
});
