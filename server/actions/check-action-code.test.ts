import { afterAll, describe, expect, it } from "vitest";
import { createRulesRunner } from "../../rules-runtime/index.ts";
import { checkActionCode } from "./check-action-code.ts";

describe("checkActionCode", () => {
  const runner = createRulesRunner({});
  const deps = { rules: { runner } } as unknown as Parameters<typeof checkActionCode>[0];
  afterAll(() => runner.dispose());

  it("accepts module code as Auth0 writes it, top-level require and helpers included", async () => {
    const code = `const _ = require('lodash');\nfunction roles(u) { return _.get(u, 'app_metadata.roles', []); }\nexports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim('r', roles(event.user)); };`;
    expect(await checkActionCode(deps, code)).toBeNull();
  });

  it("refuses code that does not compile, with the line and column in the code", async () => {
    const problem = await checkActionCode(
      deps,
      `exports.onExecutePostLogin = async (event, api) => {\n  if ( {\n};`,
    );
    expect(problem?.message).toMatch(/SyntaxError|Unexpected/);
    expect(problem?.line).toBe(3);
  });

  it("refuses code that would close the wrapper and run outside it", async () => {
    const problem = await checkActionCode(deps, `}); globalThis.pwned = 1; (function () {`);
    expect(problem).not.toBeNull();
  });
});
