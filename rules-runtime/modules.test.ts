import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { SANDBOX_MODULES } from "./modules.generated.ts";

describe("modules bundled for rules", () => {
  it("are lodash and ipaddr.js at the versions installed, and the committed bundle is current", async () => {
    // @ts-expect-error -- a plain .mjs build script without type declarations
    const { renderModules } = (await import("../scripts/build-rules-modules.mjs")) as {
      renderModules(): Promise<string>;
    };
    const version = (name: string) =>
      (JSON.parse(readFileSync(`node_modules/${name}/package.json`, "utf8")) as { version: string }).version;
    expect(Object.keys(SANDBOX_MODULES)).toEqual(["lodash", "ipaddr.js"]);
    expect(SANDBOX_MODULES.lodash?.version).toBe(version("lodash"));
    expect(SANDBOX_MODULES["ipaddr.js"]?.version).toBe(version("ipaddr.js"));
    expect(await renderModules()).toBe(readFileSync("rules-runtime/modules.generated.ts", "utf8"));
  });
});
