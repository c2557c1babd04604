import type { TSqlRunner } from "../store/raw-sql.ts";
import { compareMigrations, readAppliedMigrations, type TShippedMigration } from "../store/migrate.ts";
import { jsonOpsAnswer, type TOpsAnswer } from "./answer.ts";

/** GET /healthz: the process is alive and its event loop answers. Touches nothing else (no database). */
export function answerLiveness(): TOpsAnswer {
  return jsonOpsAnswer(200, { status: "ok" });
}

export type TReadinessInput = {
  sql: TSqlRunner;
  /** listShippedMigrations() of this build, read at start. */
  shipped: TShippedMigration[];
  /** The server stopped accepting connections (SIGTERM): load balancers should stop sending requests here. */
  isShuttingDown: boolean;
  /** A database that does not answer within this time counts as unreachable. */
  timeoutMs?: number;
};

const TIMED_OUT = Symbol("timed out");

/**
 * GET /readyz: 200 only when the database answers a query and its applied migrations are exactly the ones this
 * build ships; otherwise 503 with a reason. The body never carries an error text, a stack or a connection string
 * (it is unauthenticated); the cause goes to the log via `onError`.
 */
export async function answerReadiness(
  input: TReadinessInput,
  onError: (err: unknown) => void = () => undefined,
): Promise<TOpsAnswer> {
  if (input.isShuttingDown) return jsonOpsAnswer(503, { status: "unavailable", reason: "shutting_down" });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), input.timeoutMs ?? 2000);
  });
  try {
    const alive = await Promise.race([input.sql.all("SELECT 1 AS ok").then(() => true), timeout]).catch(
      (err: unknown) => {
        onError(err);
        return false;
      },
    );
    if (alive === TIMED_OUT) return jsonOpsAnswer(503, { status: "unavailable", reason: "database_timeout" });
    if (!alive) return jsonOpsAnswer(503, { status: "unavailable", reason: "database_unreachable" });
    const applied = await Promise.race([readAppliedMigrations(input.sql), timeout]).catch((err: unknown) => {
      // The database answered, so a failure here means the migrations table is missing: never migrated.
      onError(err);
      return [];
    });
    if (applied === TIMED_OUT)
      return jsonOpsAnswer(503, { status: "unavailable", reason: "database_timeout" });
    const drift = compareMigrations(applied, input.shipped);
    if (drift.pending.length > 0 || drift.unknown.length > 0 || drift.edited.length > 0) {
      // Migration names are public (they ship with the code) and tell an operator what to do.
      return jsonOpsAnswer(503, { status: "unavailable", reason: "migrations_not_current", ...drift });
    }
    return jsonOpsAnswer(200, { status: "ok", database: "ok", migrations: input.shipped.length });
  } finally {
    clearTimeout(timer);
  }
}
