import { createHash } from "node:crypto";
import type ivm from "isolated-vm";
import { ruleExpression } from "./sandbox-source.ts";
import { messageOf } from "./message-of.ts";
import type { TRuleFailure, TRunInput } from "./types.ts";

export type TCompiled = { script: ivm.Script } | { error: TRuleFailure };

/** What compiling needs of an isolate's slot: the isolate and its cache of compiled pipelines. */
export type TScriptCache = { isolate: ivm.Isolate; scripts: Map<string, Promise<TCompiled>> };

const MAX_SCRIPTS_PER_ISOLATE = 8;

/** Compile one rule's script on its own: null when it compiles, else the compiler's message. */
export async function compileRule(isolate: ivm.Isolate, script: string): Promise<string | null> {
  try {
    (await isolate.compileScript(ruleExpression(script), { filename: "rule.js" })).release();
    return null;
  } catch (err) {
    return messageOf(err);
  }
}

/**
 * The compiled pipeline script (bootstrap, modules, rules) for these rules in this isolate, from its cache (an LRU of
 * MAX_SCRIPTS_PER_ISOLATE pipeline versions, keyed by the rules' scripts) or compiled now. A syntax error is a value
 * naming the rule that does not compile.
 */
export function compilePipeline(
  slot: TScriptCache,
  input: TRunInput,
  sourceOf: (scripts: readonly string[]) => string,
): Promise<TCompiled> {
  const hash = createHash("sha256");
  for (const r of input.rules) hash.update(r.script).update("\u0000");
  const id = hash.digest("hex");
  let entry = slot.scripts.get(id);
  if (!entry) {
    entry = (async (): Promise<TCompiled> => {
      const source = sourceOf(input.rules.map((r) => r.script));
      try {
        return { script: await slot.isolate.compileScript(source, { filename: "rules.js" }) };
      } catch (err) {
        // Disposed while waiting (another run's limit): not a syntax error; the caller retries.
        if (slot.isolate.isDisposed) throw err;
        // Find the rule that does not compile, so the audit record can name it.
        for (const r of input.rules) {
          const problem = await compileRule(slot.isolate, r.script);
          if (problem) return { error: { kind: "syntax", rule: r.name, message: problem } };
        }
        return { error: { kind: "syntax", rule: null, message: messageOf(err) } };
      }
    })();
    slot.scripts.set(id, entry);
    if (slot.scripts.size > MAX_SCRIPTS_PER_ISOLATE) {
      const [oldestId, oldest] = slot.scripts.entries().next().value!;
      slot.scripts.delete(oldestId);
      void oldest.then((c) => ("script" in c ? c.script.release() : undefined)).catch(() => undefined);
    }
  } else {
    slot.scripts.delete(id);
    slot.scripts.set(id, entry);
  }
  return entry;
}
