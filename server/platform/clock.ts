/** Injected time source (house rule 8): tests move it instead of sleeping. */
export interface TClock {
  now(): Date;
}

export const systemClock: TClock = { now: () => new Date() };

/** A clock tests can set and advance. */
export function createManualClock(start = new Date("2026-01-01T00:00:00Z")): TClock & {
  advance(ms: number): void;
  set(d: Date): void;
} {
  let t = start.getTime();
  return {
    now: () => new Date(t),
    advance: (ms) => {
      t += ms;
    },
    set: (d) => {
      t = d.getTime();
    },
  };
}
