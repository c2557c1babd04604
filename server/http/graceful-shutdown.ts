import type { Server, ServerResponse } from "node:http";
import type { TLogger } from "../platform/logger.ts";
import { errorMessage } from "../platform/logger.ts";

export type TShutdownOptions = {
  log: TLogger;
  /** After the last in-flight request finished: stop background jobs, close the database. */
  onClosed: () => Promise<void>;
  /** Requests still running after this are cut off and the process exits 1. */
  timeoutMs?: number;
  signals?: readonly NodeJS.Signals[];
  exit?: (code: number) => void;
};

/**
 * Graceful shutdown on SIGTERM/SIGINT: stop accepting connections (the port refuses at once; /readyz answers 503
 * on connections still open), let every in-flight request finish, answering it with `Connection: close` so
 * keep-alive clients do not send another, close idle keep-alive connections, then run `onClosed` and exit 0.
 * Without the keep-alive handling `server.close()` would wait for every idle client's keep-alive timeout.
 */
export function installGracefulShutdown(
  server: Server,
  opts: TShutdownOptions,
): { shutdown(signal: string): void } {
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  const inFlight = new Set<ServerResponse>();
  let isStopping = false;
  server.on("request", (_req, res: ServerResponse) => {
    if (isStopping && !res.headersSent) res.shouldKeepAlive = false;
    inFlight.add(res);
    res.once("close", () => inFlight.delete(res));
  });

  const shutdown = (signal: string) => {
    if (isStopping) return;
    isStopping = true;
    opts.log.info({ signal, in_flight: inFlight.size }, "shutting down: finishing in-flight requests");
    const force = setTimeout(() => {
      opts.log.warn({ in_flight: inFlight.size }, "shutdown timed out: closing remaining connections");
      server.closeAllConnections();
      exit(1);
    }, opts.timeoutMs ?? 10_000);
    force.unref();
    server.close(() => {
      clearInterval(sweep);
      opts
        .onClosed()
        .then(() => {
          clearTimeout(force);
          opts.log.info("stopped");
          exit(0);
        })
        .catch((err: unknown) => {
          opts.log.error({ err: errorMessage(err) }, "error while closing");
          exit(1);
        });
    });
    for (const res of inFlight) if (!res.headersSent) res.shouldKeepAlive = false;
    server.closeIdleConnections();
    // A response already being written when the signal came keeps its keep-alive; its connection is closed here
    // as soon as it is idle.
    const sweep = setInterval(() => server.closeIdleConnections(), 100);
    sweep.unref();
  };
  for (const signal of opts.signals ?? ["SIGTERM", "SIGINT"]) process.on(signal, () => shutdown(signal));
  return { shutdown };
}
