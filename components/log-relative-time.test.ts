import { describe, expect, it } from "vitest";
import { formatOffset, formatRelativeTime } from "./log-relative-time";

const NOW = Date.parse("2026-06-01T12:00:00.000Z");
const ago = (ms: number) => new Date(NOW - ms);

describe("formatRelativeTime", () => {
  it("says just now under five seconds, either side of now", () => {
    expect(formatRelativeTime(ago(0), NOW)).toBe("just now");
    expect(formatRelativeTime(ago(4999), NOW)).toBe("just now");
    expect(formatRelativeTime(ago(-4999), NOW)).toBe("just now");
  });
  it("counts seconds, minutes, hours and days in the largest whole unit", () => {
    expect(formatRelativeTime(ago(5000), NOW)).toBe("5 s ago");
    expect(formatRelativeTime(ago(59_999), NOW)).toBe("59 s ago");
    expect(formatRelativeTime(ago(60_000), NOW)).toBe("1 min ago");
    expect(formatRelativeTime(ago(3 * 60_000 + 59_000), NOW)).toBe("3 min ago");
    expect(formatRelativeTime(ago(3_599_999), NOW)).toBe("59 min ago");
    expect(formatRelativeTime(ago(3_600_000), NOW)).toBe("1 h ago");
    expect(formatRelativeTime(ago(86_399_999), NOW)).toBe("23 h ago");
    expect(formatRelativeTime(ago(86_400_000), NOW)).toBe("1 d ago");
    expect(formatRelativeTime(ago(400 * 86_400_000), NOW)).toBe("400 d ago");
  });
  it("says 'in …' for a time after now (clock skew between servers)", () => {
    expect(formatRelativeTime(ago(-90_000), NOW)).toBe("in 1 min");
    expect(formatRelativeTime(ago(-2 * 3_600_000), NOW)).toBe("in 2 h");
  });
  it("reads ISO strings, epoch milliseconds and Dates alike", () => {
    expect(formatRelativeTime("2026-06-01T11:57:00.000Z", new Date(NOW))).toBe("3 min ago");
    expect(formatRelativeTime(NOW - 7_200_000, NOW)).toBe("2 h ago");
  });
  it("answers 'unknown time' for input it cannot read, never NaN", () => {
    expect(formatRelativeTime("not a date", NOW)).toBe("unknown time");
    expect(formatRelativeTime(new Date("nope"), NOW)).toBe("unknown time");
    expect(formatRelativeTime(Number.NaN, NOW)).toBe("unknown time");
    expect(formatRelativeTime(NOW, Number.POSITIVE_INFINITY)).toBe("unknown time");
  });
});

describe("formatOffset", () => {
  it("places a related record before or after the one on screen", () => {
    expect(formatOffset(ago(120_000), NOW)).toBe("2 min before");
    expect(formatOffset(ago(-40_000), NOW)).toBe("40 s after");
    expect(formatOffset(ago(-999), NOW)).toBe("< 1 s after");
    expect(formatOffset(ago(3), NOW)).toBe("< 1 s before");
    expect(formatOffset(NOW, NOW)).toBe("same time");
    expect(formatOffset("2026-06-01T12:10:00.000Z", "2026-06-01T12:00:00.000Z")).toBe("10 min after");
  });
  it("answers 'unknown time' for input it cannot read", () => {
    expect(formatOffset("garbage", NOW)).toBe("unknown time");
    expect(formatOffset(NOW, "garbage")).toBe("unknown time");
  });
});
