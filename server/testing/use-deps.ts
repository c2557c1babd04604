import { afterAll, beforeAll } from "vitest";
import { createTestDeps, type TDbKind, type TTestDeps } from "./test-deps.ts";
import { seedFixture, type TFixture } from "./fixtures.ts";

// Vitest hooks around createTestDeps and seedFixture, kept apart from them because bench/ imports those two
// files outside Vitest.

export type TSeededDeps = { deps: TTestDeps; fx: TFixture };

/**
 * One database of `kind` seeded with the fixture tenant for the enclosing describe block: created in beforeAll,
 * dropped in afterAll. `deps` and `fx` are filled in by the time hooks registered after this call and tests run;
 * read them there, not while the block is being collected.
 */
export function useSeededDeps(kind: TDbKind, envOverrides: Record<string, string> = {}): TSeededDeps {
  const seeded = {} as TSeededDeps;
  beforeAll(async () => {
    seeded.deps = await createTestDeps(kind, envOverrides);
    seeded.fx = await seedFixture(seeded.deps);
  });
  afterAll(async () => {
    await seeded.deps?.cleanup();
  });
  return seeded;
}

/**
 * A factory of fresh, empty databases of `kind` for tests that each need their own; every one made is dropped in
 * the enclosing block's afterAll.
 */
export function useFreshDeps(kind: TDbKind): () => Promise<TTestDeps> {
  const opened: TTestDeps[] = [];
  afterAll(async () => {
    for (const d of opened) await d.cleanup();
  });
  return async () => {
    const deps = await createTestDeps(kind);
    opened.push(deps);
    return deps;
  };
}

/** Environment for Management API tests that make many calls: the per-client rate limit out of the way. */
export const UNTHROTTLED_MANAGEMENT_API = {
  MANAGEMENT_API_BURST: "100000",
  MANAGEMENT_API_REQUESTS_PER_SECOND: "100000",
};
