// "3 min ago" for the Logs screens. Pure and given `now`, so the page renders with the injected clock and tests
// pin the boundaries; the absolute UTC time is always shown next to it (components/log-time.tsx).

const UNITS: readonly { limit: number; ms: number; unit: string }[] = [
  { limit: 60_000, ms: 1000, unit: "s" },
  { limit: 3_600_000, ms: 60_000, unit: "min" },
  { limit: 86_400_000, ms: 3_600_000, unit: "h" },
  { limit: Infinity, ms: 86_400_000, unit: "d" },
];

function toMs(t: Date | string | number): number {
  return t instanceof Date ? t.getTime() : typeof t === "string" ? Date.parse(t) : t;
}

/** `size` milliseconds (not negative) in the largest whole unit ("42 s", "3 min", "5 h", "12 d"). */
function spanOf(size: number): string {
  const unit = UNITS.find((u) => size < u.limit) ?? UNITS[UNITS.length - 1]!;
  return `${Math.floor(size / unit.ms)} ${unit.unit}`;
}

/**
 * How long before (or after) `now` the time `at` is, in the largest whole unit: "just now" under 5 seconds,
 * "42 s ago", "3 min ago", "5 h ago", "12 d ago", or "in 3 min" for a time ahead of `now` (a clock skew between
 * servers). An unreadable time gives "unknown time", never "NaN".
 */
export function formatRelativeTime(at: Date | string | number, now: Date | string | number): string {
  const diff = toMs(now) - toMs(at);
  if (!Number.isFinite(diff)) return "unknown time";
  if (Math.abs(diff) < 5000) return "just now";
  return diff > 0 ? `${spanOf(diff)} ago` : `in ${spanOf(-diff)}`;
}

/**
 * Where `at` lies from a reference record's time `ref`: "2 min before", "40 s after", "< 1 s after", "same
 * time" (the same millisecond), or "unknown time"; for the record page's lists of related records.
 */
export function formatOffset(at: Date | string | number, ref: Date | string | number): string {
  const diff = toMs(at) - toMs(ref);
  if (!Number.isFinite(diff)) return "unknown time";
  if (diff === 0) return "same time";
  // Scripts fail and retry within milliseconds; say which came first even then.
  if (Math.abs(diff) < 1000) return diff < 0 ? "< 1 s before" : "< 1 s after";
  return diff < 0 ? `${spanOf(-diff)} before` : `${spanOf(diff)} after`;
}
