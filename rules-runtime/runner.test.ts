import { afterAll, describe, expect, it } from "vitest";
import { createRulesRunner } from "./runner.ts";
import type { TRunInput } from "./types.ts";

/**
 * The host's own policing of the sandbox capabilities. The bootstrap never lets rule code reach the raw capability
 * functions (hostile-tampering.test.ts shows that through logins); these runs replace the bootstrap with a script
 * that uses the raw functions directly, as a rule would after a bootstrap bug, and show the damage stays bounded.
 */
describe("capabilities used past the bootstrap", () => {
  // Long limits: a run ended by a limit would say "timeout" and take 10 s, so "abuse" well under that shows the
  // first bad call ended it, even on a loaded machine (1,000 synchronous calls can take seconds there).
  const limits = { ruleTimeoutMs: 10_000, pipelineTimeoutMs: 20_000, memoryLimitMb: 32 };
  const input = (): TRunInput => ({
    isolateKey: "policing",
    rules: [{ name: "bypass", script: "function () {}" }],
    user: { user_id: "auth0|u" },
    context: {},
    configuration: {},
    auth0Domain: "example.com",
    fetchAllowedHosts: [],
  });
  const runners: ReturnType<typeof createRulesRunner>[] = [];
  const runnerWith = (body: string) => {
    const r = createRulesRunner(limits, {
      pipelineSource: () => `(function () { var G = globalThis; ${body} })();`,
    });
    runners.push(r);
    return r;
  };
  afterAll(() => runners.forEach((r) => r.dispose()));

  const cases: [string, string][] = [
    [
      "a flood of sleep calls with large strings",
      "var big = new Array(1 << 20).join('x'); for (var i = 0; i < 1e6; i++) G.__pc_sleep(big, big);",
    ],
    ["sleep called past its budget", "for (var i = 1; i < 1e6; i++) G.__pc_sleep(i, 1);"],
    ["an oversized fetch request", "G.__pc_fetch(1, new Array(4 << 20).join('x'));"],
    ["fetch called past its budget", "for (var i = 1; i < 1e5; i++) G.__pc_fetch(i, '{}');"],
    ["a malformed sleep request", "G.__pc_sleep(-1, 'soon');"],
    ["a result that is not a string", "G.__pc_done({ status: 'ok' });"],
  ];
  for (const [what, body] of cases) {
    it(`${what} ends the run at once as abuse, and the isolate is replaced`, async () => {
      const runner = runnerWith(`${body} for (;;) {}`);
      const started = performance.now();
      const res = await runner.run(input());
      expect(res.ok).toBe(false);
      expect(!res.ok && res.failure.kind).toBe("abuse");
      expect(!res.ok && res.failure.message).toMatch(/a rule reached past the bootstrap/);
      // Ended by the first bad call, not by the time limits.
      expect(performance.now() - started).toBeLessThan(limits.ruleTimeoutMs);
      expect((await runner.stats()).isolates).toBe(0);
    });
  }

  it("calls after the result was handed back are dropped", async () => {
    const runner = runnerWith(
      'G.__pc_done(\'{"status":"ok","user":{},"context":{}}\'); G.__pc_sleep(-7, 1); G.__pc_done(42);',
    );
    const res = await runner.run(input());
    expect(res.ok).toBe(true);
  });
});
