import { pino, type DestinationStream, type Logger } from "pino";
import type { TEnv } from "./env.ts";

/** The structured logger (pino): one JSON object per line on stdout. */
export type TLogger = Logger;

export type TLoggerOptions = Pick<TEnv, "LOG_LEVEL" | "LOG_FORMAT">;

// A safety net behind the rule "never log secrets": should a secret-bearing object reach a log call anyway, these
// keys are replaced. Call sites log messages and chosen fields, never request bodies or headers.
const REDACTED_KEYS = [
  "password",
  "new_password",
  "client_secret",
  "secret",
  "authorization",
  "cookie",
  "access_token",
  "refresh_token",
  "id_token",
  "mfa_token",
  "otp",
  "recovery_code",
  "binding_code",
  "oob_code",
  "token",
];
const REDACT_PATHS = REDACTED_KEYS.flatMap((k) => [k, `*.${k}`]);

const LEVEL_NAMES: Record<number, string> = {
  10: "TRACE",
  20: "DEBUG",
  30: "INFO",
  40: "WARN",
  50: "ERROR",
  60: "FATAL",
};

/**
 * LOG_FORMAT=pretty without a pretty-printer dependency: the same records as one readable line each
 * (`12:00:00.123 INFO  message key=value …`), for a terminal. Never for log shipping.
 */
export function prettyDestination(out: { write(s: string): unknown } = process.stdout): DestinationStream {
  return {
    write(line: string) {
      let rec: Record<string, unknown>;
      try {
        rec = JSON.parse(line) as Record<string, unknown>;
      } catch {
        out.write(line);
        return;
      }
      const { level, time, msg, pid: _pid, hostname: _host, ...rest } = rec;
      const at = typeof time === "string" ? time.slice(11, 23) : "";
      const name = (LEVEL_NAMES[Number(level)] ?? String(level)).padEnd(5);
      const fields = Object.entries(rest)
        .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
        .join(" ");
      out.write(`${at} ${name} ${String(msg ?? "")}${fields ? ` ${fields}` : ""}\n`);
    },
  };
}

/**
 * Build a logger: JSON lines with ISO time, level, pid and hostname (several processes share one log pipeline),
 * at LOG_LEVEL. `destination` is for tests that capture the stream.
 */
export function createLogger(opts: TLoggerOptions, destination?: DestinationStream): TLogger {
  return pino(
    {
      level: opts.LOG_LEVEL,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    },
    destination ?? (opts.LOG_FORMAT === "pretty" ? prettyDestination() : undefined),
  );
}

const GLOBAL_KEY = Symbol.for("portcullis.logger");
type TGlobal = typeof globalThis & { [GLOBAL_KEY]?: TLogger };

/**
 * The process's logger, shared through globalThis so the HTTP server and the Next.js bundles (separate module
 * graphs in one process) write through one stream. The first caller's options win; later calls return it.
 */
export function getProcessLogger(opts?: TLoggerOptions): TLogger {
  const g = globalThis as TGlobal;
  g[GLOBAL_KEY] ??= createLogger(opts ?? readLogOptions(process.env));
  return g[GLOBAL_KEY];
}

/** LOG_LEVEL / LOG_FORMAT for code that runs before (or without) the parsed configuration; bad values fall back. */
function readLogOptions(source: Record<string, string | undefined>): TLoggerOptions {
  const levels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
  const level = levels.find((l) => l === source.LOG_LEVEL) ?? "info";
  return { LOG_LEVEL: level, LOG_FORMAT: source.LOG_FORMAT === "pretty" ? "pretty" : "json" };
}

/** An error's message for a log field: never a stack, never the object (driver errors can carry parameters). */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
