import type { TDeps } from "../config/deps.ts";
import { deleteLogsBefore } from "../store/logs.ts";
import { logIdFloor } from "../store/logs.ts";

const DAY_MS = 24 * 3600 * 1000;

export type TPruneOptions = {
  retentionDays: number;
  /** Records per delete statement: small, so each write lock is held briefly. */
  batchSize?: number;
  /** Pause between batches, so logins (and other processes) get the database in between. */
  pauseMs?: number;
  /** Stops between batches (server shutdown). */
  signal?: AbortSignal;
};

export type TPruneResult = { cutoff: Date; deleted: number; batches: number[] };

/**
 * Delete audit records older than `retentionDays` (by deps.clock) in batches of `batchSize`, oldest first,
 * yielding between batches. Safe to run in several processes at once. Records what it deleted as one `audit_prune`
 * line in the JSON log.
 */
export async function pruneAuditLogs(
  deps: Pick<TDeps, "db" | "clock" | "log" | "metrics">,
  opts: TPruneOptions,
): Promise<TPruneResult> {
  const batchSize = opts.batchSize ?? 500;
  const startedAt = performance.now();
  const cutoff = new Date(deps.clock.now().getTime() - opts.retentionDays * DAY_MS);
  const beforeId = logIdFloor(cutoff);
  const batches: number[] = [];
  let deleted = 0;
  for (;;) {
    const n = await deleteLogsBefore(deps.db, beforeId, batchSize);
    batches.push(n);
    deleted += n;
    if (n > 0) deps.metrics.auditPruned(n);
    if (n < batchSize || opts.signal?.aborted) break;
    await new Promise((r) => setTimeout(r, opts.pauseMs ?? 5));
  }
  deps.log.info(
    {
      event: "audit_prune",
      deleted,
      batches: batches.length,
      before: cutoff.toISOString(),
      retention_days: opts.retentionDays,
      duration_ms: Math.round(performance.now() - startedAt),
      ...(opts.signal?.aborted ? { interrupted: true } : {}),
    },
    `audit retention: deleted ${deleted} record(s) older than ${cutoff.toISOString()}`,
  );
  return { cutoff, deleted, batches };
}
