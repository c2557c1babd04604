import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

// The layer rule (eslint.layers.mjs, wired in eslint.config.mjs) must refuse an import that points up the house
// and a cycle, and let a legal import through. Each case lints a made-up file with the project's own config, so
// taking the rule out of the config fails these tests.

const eslint = new ESLint({
  cwd: import.meta.dirname,
  // The probe files do not exist on disk, so the TypeScript project service cannot open them; the layer rules need
  // no type information, and only they are run.
  overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
  ruleFilter: ({ ruleId }) => ruleId.startsWith("boundaries/") || ruleId.startsWith("import-x/"),
});

async function lintAs(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? "parse"}: ${m.message}`);
}

describe("layer rule", () => {
  it("refuses a store module importing an admin use case", async () => {
    const problems = await lintAs(
      "server/store/violation.ts",
      'import { recordAdminChange } from "../admin/audit.ts";\nexport const record = recordAdminChange;\n',
    );
    expect(problems).toEqual([expect.stringMatching(/^boundaries\/dependencies: .*"store".*"admin"/)]);
  });

  it("lets a store module import the store and the platform", async () => {
    const problems = await lintAs(
      "server/store/legal.ts",
      'import { readDate } from "./raw-sql.ts";\nimport { errorMessage } from "../platform/logger.ts";\n' +
        "export const both = [readDate, errorMessage];\n",
    );
    expect(problems).toEqual([]);
  });

  it("refuses a domain module importing the admin, and the platform importing the domain", async () => {
    expect(
      await lintAs(
        "server/protection/violation.ts",
        'import { listBlocks } from "../admin/protection/list-blocks.ts";\nexport const list = listBlocks;\n',
      ),
    ).toEqual([expect.stringMatching(/^boundaries\/dependencies: .*"protection".*"admin"/)]);
    expect(
      await lintAs(
        "server/platform/violation.ts",
        'import { canonicalIp } from "../protection/login-guard.ts";\nexport const ip = canonicalIp;\n',
      ),
    ).toEqual([expect.stringMatching(/^boundaries\/dependencies: .*"platform".*"protection"/)]);
  });

  it("orders the domain: mfa may use the OAuth vocabulary but not the token endpoint", async () => {
    expect(
      await lintAs(
        "server/mfa/legal.ts",
        'import { InvalidGrant } from "../oauth/core/errors.ts";\nexport const error = InvalidGrant;\n',
      ),
    ).toEqual([]);
    expect(
      await lintAs(
        "server/mfa/violation.ts",
        'import { handleTokenRequest } from "../oauth/token-endpoint.ts";\nexport const handle = handleTokenRequest;\n',
      ),
    ).toEqual([expect.stringMatching(/^boundaries\/dependencies: .*"mfa".*"oauth"/)]);
    // …and that vocabulary stays below MFA (mfa-token.ts imports errors.ts, so this is a cycle as well).
    expect(
      await lintAs(
        "server/oauth/core/errors.ts",
        'import { readMfaToken } from "../../mfa/mfa-token.ts";\nexport const read = readMfaToken;\n',
      ),
    ).toContainEqual(expect.stringMatching(/^boundaries\/dependencies: .*"mfa"/));
  });

  it("lets any layer name the TDeps type but only entry points import the composition root", async () => {
    expect(
      await lintAs(
        "server/protection/legal.ts",
        'import type { TDeps } from "../config/deps.ts";\nexport type TLegal = TDeps;\n',
      ),
    ).toEqual([]);
    expect(
      await lintAs(
        "server/protection/violation.ts",
        'import { getDeps } from "../config/deps.ts";\nexport const deps = getDeps;\n',
      ),
    ).toEqual([expect.stringMatching(/^boundaries\/dependencies: .*"protection".*"config"/)]);
    expect(
      await lintAs(
        "app/legal.ts",
        'import { getDeps } from "@/server/config/deps";\nexport const deps = getDeps;\n',
      ),
    ).toEqual([]);
  });

  it("keeps browser components off server values and the sandbox off the server", async () => {
    expect(
      await lintAs(
        "components/violation.tsx",
        'import { listRules } from "@/server/admin/rules/list-rules";\nexport const list = listRules;\n',
      ),
    ).toEqual([expect.stringMatching(/^boundaries\/dependencies: .*"components".*"admin"/)]);
    expect(
      await lintAs(
        "components/legal.tsx",
        'import type { TAdmin } from "@/server/admin/session";\nexport type TLegal = TAdmin;\n',
      ),
    ).toEqual([]);
    expect(
      await lintAs(
        "rules-runtime/violation.ts",
        'import { parseEnv } from "../server/platform/env.ts";\nexport const parse = parseEnv;\n',
      ),
    ).toEqual([expect.stringMatching(/^boundaries\/dependencies: .*"rules-runtime".*"platform"/)]);
  });

  it("refuses an import cycle", async () => {
    // store/logs.ts imports store/json.ts, so json.ts importing logs.ts closes a cycle.
    const problems = await lintAs(
      "server/store/json.ts",
      'import { insertLog } from "./logs.ts";\nexport const insert = insertLog;\n',
    );
    expect(problems).toEqual([expect.stringMatching(/^import-x\/no-cycle: Dependency cycle/)]);
  });
});
