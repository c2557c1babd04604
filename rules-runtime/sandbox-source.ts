import { BOOTSTRAP } from "./bootstrap.generated.ts";
import { SANDBOX_MODULES } from "./modules.generated.ts";

// BOOTSTRAP is rules-runtime/sandbox/environment.js, pipeline.js and actions-pipeline.js (the JavaScript that runs first in
// every sandbox context, with its hardening explained there), copied verbatim by scripts/build-rules-bootstrap.mjs.

/** Strip what Auth0's editor tolerated after the function (a trailing semicolon, whitespace). */
export function normalizeRuleScript(script: string): string {
  return script.replace(/[\s;]+$/, "");
}

/** The expression a rule's script must be: `(function (user, context, callback) { … })`. */
export function ruleExpression(script: string): string {
  return `(${normalizeRuleScript(script)}\n)`;
}

/**
 * One script per pipeline: the bootstrap runs first (it captures the capabilities before any rule code is
 * evaluated), then the module factories and the rule functions are evaluated and handed to it. Compiled once per
 * isolate and pipeline version; running it in a fresh context only creates closures.
 */
export function pipelineSource(scripts: readonly string[]): string {
  const rules = scripts.map(ruleExpression).join(",\n");
  return `${BOOTSTRAP}.start({\n${moduleFactories()}\n}, [\n${rules}\n]);\n`;
}

function moduleFactories(): string {
  return Object.entries(SANDBOX_MODULES)
    .map(([name, m]) => `${JSON.stringify(name)}: function (module, exports) {\n${m.source}\n}`)
    .join(",\n");
}

/**
 * The install script of every warm Actions context: the bootstrap and the module factories; its value is the entry the
 * host calls once per login. The actions' code travels in the install input and becomes functions inside the sandbox
 * (see actions-pipeline.js), so this script is the same for every flow and is compiled once per isolate.
 */
export function actionsPipelineSource(): string {
  return `${BOOTSTRAP}.installActions({\n${moduleFactories()}\n});\n`;
}
