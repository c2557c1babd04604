import js from "@eslint/js";
import tseslint from "typescript-eslint";
import boundaries from "eslint-plugin-boundaries";
import { importX } from "eslint-plugin-import-x";
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";
import { LAYER_ELEMENTS, LAYER_POLICIES } from "./eslint.layers.mjs";

export default tseslint.config(
  {
    ignores: [
      "generated/**",
      ".next/**",
      "node_modules/**",
      "data/**",
      "next-env.d.ts",
      "test-results/**",
      "rules-runtime/modules.generated.ts",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts", "**/*.tsx"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // No Prisma Client runs: server/store/ queries every table in plain SQL; Prisma keeps only the schema and the
    // migrations (its CLI, configured in prisma.config.ts).
    files: ["**/*.ts", "**/*.tsx", "**/*.mts"],
    ignores: ["prisma.config.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["@prisma/*", "**/generated/**", "@/generated/**"],
              message: "No Prisma Client: query through server/store/ (plain SQL).",
            },
          ],
        },
      ],
    },
  },
  {
    // House rule 1: app/ parses, calls one server/ function and shapes the response; it never touches the database.
    files: ["app/**/*.ts", "app/**/*.tsx"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["@prisma/*", "**/generated/**", "@/generated/**"],
              message: "No Prisma Client: query through server/store/ (plain SQL).",
            },
            {
              group: ["**/server/store", "**/server/store/**", "@/server/store/**"],
              message: "app/ must not import server/store.",
            },
          ],
        },
      ],
    },
  },
  {
    // rules-runtime is a self-contained sandbox package.
    files: ["rules-runtime/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/server/**", "**/app/**", "@/server/**", "@/app/**"],
              message: "rules-runtime/ must stay self-contained.",
            },
          ],
        },
      ],
    },
  },
  {
    // The layers (eslint.layers.mjs holds the map and the reasons): an import may only point down the house.
    // Tests and server/testing may import anything, so they are left out here, as are the tool configuration
    // files at the root (next.config.ts, proxy.ts, …), which stand outside the house.
    files: ["**/*.ts", "**/*.tsx", "**/*.mts"],
    ignores: ["**/*.test.ts", "**/*.test.tsx", "server/testing/**", "*.ts", "*.mts"],
    plugins: { boundaries, "import-x": importX },
    settings: {
      "boundaries/elements": LAYER_ELEMENTS,
      "boundaries/include": ["**/*.ts", "**/*.tsx", "**/*.mts", "**/*.mjs"],
      "import/resolver": { typescript: { alwaysTryTypes: true } },
      // What import-x/typescript sets, without its rules: import-x must parse .ts files to follow their imports.
      "import-x/extensions": importX.flatConfigs.typescript.settings["import-x/extensions"],
      "import-x/parsers": importX.flatConfigs.typescript.settings["import-x/parsers"],
      "import-x/resolver-next": [createTypeScriptImportResolver({ alwaysTryTypes: true })],
    },
    rules: {
      "boundaries/dependencies": [
        "error",
        { default: "disallow", checkUnknownLocals: true, policies: LAYER_POLICIES },
      ],
      // A file no element claims would escape the layer rule; every source file belongs to a layer.
      "boundaries/no-unknown-files": "error",
      // Cycles between modules (type-only imports are erased at run time and do not count).
      "import-x/no-cycle": ["error", { ignoreExternal: true }],
    },
  },
  {
    files: ["**/*.mjs", "**/*.js"],
    languageOptions: {
      globals: {
        process: "readonly",
        console: "readonly",
        URL: "readonly",
        URLSearchParams: "readonly",
        fetch: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        Buffer: "readonly",
      },
    },
  },
  {
    // The rules isolate's bootstrap: ES2020 run verbatim in an isolate that has no Node.js or browser globals
    // (scripts/build-rules-bootstrap.mjs). Its unused catch bindings stay: dropping them would change the text the
    // isolate runs.
    files: ["rules-runtime/sandbox/**/*.js"],
    languageOptions: {
      ecmaVersion: 2020,
      sourceType: "script",
      globals: Object.fromEntries(
        ["process", "console", "URL", "URLSearchParams", "fetch", "setTimeout", "clearTimeout", "Buffer"].map(
          (name) => [name, "off"],
        ),
      ),
    },
    // environment.js and pipeline.js share one function scope once built, which a per-file linter cannot see: their
    // names are checked across both by `tsc -p rules-runtime/sandbox` (which also refuses host globals such as
    // `process`, having no Node.js or DOM types), so the per-file scope rules are off here.
    rules: { "no-undef": "off", "no-redeclare": "off", "@typescript-eslint/no-unused-vars": "off" },
  },
  {
    // TypeScript makes a global a property of globalThis (the bootstrap reads them as G.__pc_in, …) only for `var`.
    files: ["rules-runtime/sandbox/globals.d.ts"],
    rules: { "no-var": "off" },
  },
);
