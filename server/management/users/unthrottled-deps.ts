import { afterAll, beforeAll } from "vitest";
import { createTestDeps, type TDbKind } from "../../testing/test-deps.ts";
import { seedFixture } from "../../testing/fixtures.ts";
import type { TSeededDeps } from "../../testing/use-deps.ts";

/**
 * The seeded fixture tenant (as useSeededDeps) with the Management API's per-client rate limit out of the way: these
 * tests make hundreds of calls at one instant of the manual clock, and the limit has its own tests.
 */
export function useUnthrottledDeps(kind: TDbKind): TSeededDeps {
  const seeded = {} as TSeededDeps;
  beforeAll(async () => {
    seeded.deps = await createTestDeps(kind, {
      MANAGEMENT_API_BURST: "100000",
      MANAGEMENT_API_REQUESTS_PER_SECOND: "100000",
    });
    seeded.fx = await seedFixture(seeded.deps);
  });
  afterAll(async () => {
    await seeded.deps?.cleanup();
  });
  return seeded;
}
