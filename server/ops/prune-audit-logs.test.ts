import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDeps, testDatabaseKinds, type TTestDeps } from "../testing/test-deps.ts";
import { insertLog } from "../store/logs.ts";
import { listLogs } from "../store/logs.ts";
import { createLogger } from "../platform/logger.ts";
import { pruneAuditLogs } from "./prune-audit-logs.ts";
import { startRetentionJob } from "./retention-job.ts";
import { createMetrics } from "../platform/metrics.ts";
import { openRawSql } from "../store/raw-sql.ts";

const DAY = 24 * 3600 * 1000;
const NOW = new Date("2026-06-01T12:00:00Z");

describe.each(testDatabaseKinds())("audit retention (%s)", (kind) => {
  let deps: TTestDeps;
  const lines: string[] = [];

  beforeAll(async () => {
    const log = createLogger(
      { LOG_LEVEL: "info", LOG_FORMAT: "json" },
      { write: (s: string) => lines.push(s) },
    );
    deps = await createTestDeps(kind, { AUDIT_RETENTION_DAYS: "30" }, { log });
  });
  afterAll(async () => {
    await deps?.cleanup();
  });

  /** Records `daysAgo` days before NOW (one per entry), described by their age. */
  async function seed(...daysAgo: number[]): Promise<void> {
    for (const d of daysAgo) {
      await insertLog(
        deps.db,
        { type: "sepft", description: `age ${d}`, user_name: `user-${d}` },
        new Date(NOW.getTime() - d * DAY),
      );
    }
  }
  const remaining = async () => (await listLogs(deps.db, { take: 1000 })).map((l) => l.description).sort();

  beforeEach(async () => {
    await deps.db.run('DELETE FROM "LogEvent"');
    deps.clock.set(NOW);
    lines.length = 0;
  });

  it("deletes records older than the cutoff in bounded batches and keeps newer ones", async () => {
    // Ten records past 30 days (one just past the cutoff), three inside it (one just inside).
    await seed(400, 200, 100, 90, 60, 45, 40, 35, 31, 30.01, 29.99, 10, 0);
    const r = await pruneAuditLogs(deps, { retentionDays: 30, batchSize: 3, pauseMs: 0 });
    expect(r.deleted).toBe(10);
    expect(r.cutoff.toISOString()).toBe(new Date(NOW.getTime() - 30 * DAY).toISOString());
    // 10 records in batches of at most 3: 3 + 3 + 3 + 1.
    expect(r.batches).toEqual([3, 3, 3, 1]);
    expect(await remaining()).toEqual(["age 0", "age 10", "age 29.99"]);

    const record = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.event === "audit_prune");
    expect(record).toMatchObject({ level: 30, deleted: 10, batches: 4, retention_days: 30 });
    expect(record!.before).toBe(r.cutoff.toISOString());
    // Nothing about the deleted records themselves reaches the log.
    expect(lines.join("")).not.toContain("user-400");
  });

  it("moves with the injected clock: the same records age out later, and a second run finds nothing", async () => {
    await seed(20, 5);
    expect((await pruneAuditLogs(deps, { retentionDays: 30, pauseMs: 0 })).deleted).toBe(0);
    deps.clock.advance(11 * DAY);
    expect((await pruneAuditLogs(deps, { retentionDays: 30, pauseMs: 0 })).deleted).toBe(1);
    expect(await remaining()).toEqual(["age 5"]);
    const again = await pruneAuditLogs(deps, { retentionDays: 30, pauseMs: 0 });
    expect(again).toMatchObject({ deleted: 0, batches: [0] });
  });

  it("stops between batches when aborted (shutdown) and finishes on the next run", async () => {
    await seed(100, 99, 98, 97, 96);
    const abort = new AbortController();
    abort.abort();
    const first = await pruneAuditLogs(deps, { retentionDays: 30, batchSize: 2, signal: abort.signal });
    expect(first.batches).toEqual([2]);
    expect((await pruneAuditLogs(deps, { retentionDays: 30, batchSize: 2, pauseMs: 0 })).deleted).toBe(3);
    expect(await remaining()).toEqual([]);
  });

  it("two pruners at once (as two server processes would) delete each record once and leave newer ones", async () => {
    await seed(...Array.from({ length: 40 }, (_, i) => 31 + i), 1, 2);
    // Its own connections to the same database, as a second server process has.
    const peer = {
      db: await openRawSql(deps.env),
      clock: deps.clock,
      log: deps.log,
      metrics: createMetrics(),
    };
    try {
      const [a, b] = await Promise.all([
        pruneAuditLogs(deps, { retentionDays: 30, batchSize: 5, pauseMs: 0 }),
        pruneAuditLogs(peer, { retentionDays: 30, batchSize: 5, pauseMs: 0 }),
      ]);
      expect(a.deleted + b.deleted).toBe(40);
      for (const n of [...a.batches, ...b.batches]) expect(n).toBeLessThanOrEqual(5);
    } finally {
      await peer.db.close();
    }
    expect(await remaining()).toEqual(["age 1", "age 2"]);
  });

  it("the serve job prunes at start and is a no-op without AUDIT_RETENTION_DAYS", async () => {
    await seed(45, 3);
    const job = startRetentionJob(deps);
    await job.stop();
    expect(await remaining()).toEqual(["age 3"]);
    await seed(45);
    const off = startRetentionJob({ ...deps, env: { ...deps.env, AUDIT_RETENTION_DAYS: undefined } });
    await off.stop();
    expect(await remaining()).toEqual(["age 3", "age 45"]);
  });
});

describe("portcullis logs prune", () => {
  it("deletes old records through the CLI, logs one audit_prune line, and refuses bad input", async () => {
    const { spawnSync } = await import("node:child_process");
    const { randomBytes } = await import("node:crypto");
    const masterKey = randomBytes(32).toString("base64");
    const deps = await createTestDeps("sqlite", { PORTCULLIS_MASTER_KEY: masterKey });
    try {
      const now = Date.now();
      for (const d of [90, 40, 1]) {
        await insertLog(deps.db, { type: "sepft", description: `age ${d}` }, new Date(now - d * DAY));
      }
      const cli = (...args: string[]) =>
        spawnSync(
          process.execPath,
          ["--no-node-snapshot", "--import", "tsx", "cli/main.ts", "logs", ...args],
          {
            env: { ...process.env, DATABASE_URL: deps.env.DATABASE_URL, PORTCULLIS_MASTER_KEY: masterKey },
            encoding: "utf8",
          },
        );
      const bad = cli("prune", "--days", "0");
      expect(bad.status).toBe(2);
      expect(bad.stderr).toContain("--days must be a positive integer");
      expect(cli("prune").stderr).toContain("needs --days N or AUDIT_RETENTION_DAYS");

      const r = cli("prune", "--days", "30", "--batch-size", "1");
      expect(r.status).toBe(0);
      expect(r.stderr).toMatch(/Deleted 2 audit record\(s\) older than \S+ in 3 batch\(es\)\./);
      const line = r.stdout
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.event === "audit_prune");
      expect(line).toMatchObject({ deleted: 2, batches: 3, retention_days: 30 });
      expect((await listLogs(deps.db, { take: 10 })).map((l) => l.description)).toEqual(["age 1"]);
    } finally {
      await deps.cleanup();
    }
  }, 60_000);
});
