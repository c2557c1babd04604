import type { TDeps } from "../config/deps.ts";
import { errorMessage } from "../platform/logger.ts";
import { pruneAuditLogs } from "./prune-audit-logs.ts";

export const RETENTION_INTERVAL_MS = 3600 * 1000;

export type TRetentionJob = { stop(): Promise<void> };

/**
 * The audit retention job of `serve`: when AUDIT_RETENTION_DAYS is set, prunes at start and then hourly on an
 * unref'd timer (it never keeps the process alive). `stop()` ends the timer and waits for a run in progress,
 * which stops after its current batch.
 */
export function startRetentionJob(
  deps: Pick<TDeps, "db" | "clock" | "log" | "metrics" | "env">,
  intervalMs = RETENTION_INTERVAL_MS,
): TRetentionJob {
  const days = deps.env.AUDIT_RETENTION_DAYS;
  if (days === undefined) return { stop: async () => undefined };
  const abort = new AbortController();
  let running: Promise<void> | null = null;
  const run = () => {
    // An hourly run still going (a large first prune) is not started twice.
    if (running || abort.signal.aborted) return;
    running = pruneAuditLogs(deps, { retentionDays: days, signal: abort.signal })
      .then(() => undefined)
      .catch((err: unknown) => deps.log.error({ err: errorMessage(err) }, "audit retention run failed"))
      .finally(() => {
        running = null;
      });
  };
  run();
  const timer = setInterval(run, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      abort.abort();
      await running;
    },
  };
}
