import { createHash } from "node:crypto";
import type ivm from "isolated-vm";
import { ruleExpression } from "./sandbox-source.ts";
import { messageOf } from "./message-of.ts";
import type { TRuleFailure } from "./types.ts";

export type TCompiled = { script: ivm.Script } | { error: TRuleFailure };

/** What compiling needs of an isolate's slot: the isolate and its cache of compiled pipelines. */
export type TScriptCache = { isolate: ivm.Isolate; scripts: Map<string, Promise<TCompiled>> };

const MAX_SCRIPTS_PER_ISOLATE = 8;
/** Parsing one action's module in the check isolate; parsing never loops, this only bounds a huge input. */
const CHECK_TIMEOUT_MS = 2000;

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
 * Compile one action's module code on its own, the way the sandbox does (the Function constructor, which parses the
 * body alone, so code that would close the wrapper early is a syntax error): null when it compiles, else the
 * compiler's message. Runs no action code: the throwaway context only parses.
 */
export async function compileAction(isolate: ivm.Isolate, code: string): Promise<string | null> {
  const context = await isolate.createContext();
  try {
    await context.global.set("__pc_code", code);
    await context.eval('void Function("exports", "module", "require", __pc_code);', {
      timeout: CHECK_TIMEOUT_MS,
    });
    return null;
  } catch (err) {
    return messageOf(err);
  } finally {
    try {
      context.release();
    } catch {
      // The isolate is gone; so is the context.
    }
  }
}

/** A cache id for a list of sources. */
export function sourcesId(prefix: string, sources: readonly string[]): string {
  const hash = createHash("sha256");
  for (const s of sources) hash.update(s).update("\u0000");
  return `${prefix}:${hash.digest("hex")}`;
}

/**
 * The compiled pipeline script with this id in this isolate, from its cache (an LRU of MAX_SCRIPTS_PER_ISOLATE
 * pipeline versions) or compiled now from `source()`. When it does not compile, `explain` turns the error into a
 * failure value (naming the script at fault when it can).
 */
export function compilePipeline(
  slot: TScriptCache,
  id: string,
  source: () => string,
  explain: (err: unknown) => Promise<TCompiled>,
): Promise<TCompiled> {
  let entry = slot.scripts.get(id);
  if (!entry) {
    entry = (async (): Promise<TCompiled> => {
      try {
        return { script: await slot.isolate.compileScript(source(), { filename: `${id.split(":")[0]}.js` }) };
      } catch (err) {
        // Disposed while waiting (another run's limit): not a syntax error; the caller retries.
        if (slot.isolate.isDisposed) throw err;
        return explain(err);
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
