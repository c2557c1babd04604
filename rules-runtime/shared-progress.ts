/**
 * Memory shared with the isolate, one block per context. The bootstrap writes which rule runs since when as each
 * rule starts, and the run's result when it is done; the host reads them when a rule's time limit may be up and
 * whenever an execution in the isolate ends. A capability call for each would be a round trip through the event
 * loop for every rule of every login, during which the isolate (shared by a tenant's logins) waits.
 */
export type TProgress = {
  buffer: SharedArrayBuffer;
  /** [0]: index of the rule running now (-1: none yet); [1]: length of the result (-1: none yet). Atomics. */
  state: Int32Array;
  /** [0]: when the running rule started (epoch ms); [1 + k]: when rule k started, for the first rules. */
  at: Float64Array;
  /** The result's UTF-16 code units, when it fits; a larger one comes through the done capability. */
  result: Uint16Array;
};
export const TRACKED_RULES = 255;
const RESULT_CHARS = 32 * 1024;

export const SHARED_BYTES = 8 + 8 * (TRACKED_RULES + 1) + 2 * RESULT_CHARS;
/** Shared blocks kept per isolate for the next contexts (a block is only reused once its run has fully ended). */
export const MAX_POOLED_SHARED = 8;

/** Views over a shared block (new, or reused from a finished run of the same isolate), reset to "nothing yet". */
export function openProgress(buffer: SharedArrayBuffer): TProgress {
  const atBytes = 8 * (TRACKED_RULES + 1);
  const progress = {
    buffer,
    state: new Int32Array(buffer, 0, 2),
    at: new Float64Array(buffer, 8, TRACKED_RULES + 1),
    result: new Uint16Array(buffer, 8 + atBytes, RESULT_CHARS),
  };
  Atomics.store(progress.state, 0, -1);
  Atomics.store(progress.state, 1, -1);
  return progress;
}

/** The result the bootstrap left in shared memory, or null while there is none. */
export function readSharedResult(p: TProgress): string | null {
  const length = Atomics.load(p.state, 1);
  if (length < 0) return null;
  const units = p.result.subarray(0, Math.min(length, p.result.length));
  return Buffer.from(units.buffer, units.byteOffset, units.byteLength).toString("utf16le");
}
