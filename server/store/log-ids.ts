import { randomBytes } from "node:crypto";

// LogEvent ids: the writer (logins.ts) and the readers (logs.ts, the retention job) share this scheme.

/** Sortable log id: millisecond time then randomness, like Auth0's numeric-prefixed log_id. */
export function newLogId(at: Date): string {
  return `90${at.getTime().toString().padStart(15, "0")}${randomBytes(8).toString("hex")}`;
}

/** The smallest log id a record made at `at` can have. */
export function logIdFloor(at: Date): string {
  return `90${at.getTime().toString().padStart(15, "0")}`;
}
