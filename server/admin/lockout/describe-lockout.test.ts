import { describe, expect, it } from "vitest";
import {
  describeCause,
  describeState,
  recordTime,
  relativeTime,
  when,
  type TLockoutCause,
} from "./describe-lockout.ts";
import { adminUnblock, adminUnblockIp, byTime, mfaReset, passwordReset } from "./lifts.ts";

// The sentences are what a help desk reads: the exact words for each cause, and times that are the same on the
// server and in any browser (absolute UTC plus relative to the explanation's time).

const now = new Date("2026-12-06T14:07:00.000Z");
const at = (iso: string) => new Date(iso).toISOString();

describe("describe-lockout", () => {
  it("times: absolute UTC with a relative one, past and future", () => {
    expect(when(at("2026-12-06T14:02:00Z"), now)).toBe("2026-12-06 14:02 UTC (5 minutes ago)");
    expect(relativeTime(at("2026-12-06T14:06:30Z"), now)).toBe("just now");
    expect(relativeTime(at("2026-12-06T15:07:00Z"), now)).toBe("in 1 hour");
    expect(relativeTime(at("2027-01-05T14:02:00Z"), now)).toBe("in 30 days");
    expect(recordTime(`90${Date.parse("2026-12-06T14:02:05.123Z").toString().padStart(15, "0")}abcdef`)).toBe(
      "2026-12-06 14:02:05 UTC",
    );
    expect(recordTime("not-a-log-id")).toBeNull();
  });

  it("a brute-force block names the IP, the count and every way out", () => {
    const cause: TLockoutCause = {
      kind: "brute-force",
      state: "blocked",
      ip: "203.0.113.7",
      addresses: ["203.0.113.7"],
      count: 10,
      threshold: 10,
      since: at("2026-12-06T14:02:00Z"),
      until: at("2027-01-05T14:02:00Z"),
      records: [],
      lifts: [
        adminUnblock("alice@example.com"),
        passwordReset("auth0|1"),
        {
          kind: "unblock-link",
          action: null,
          sent_at: at("2026-12-06T14:02:00Z"),
          to: "a***@example.com",
          status: "sent",
          expires_at: at("2026-12-11T14:02:00Z"),
        },
        byTime(new Date("2027-01-05T14:02:00Z")),
      ],
    };
    expect(describeCause(cause, now)).toBe(
      "Blocked since 2026-12-06 14:02 UTC (5 minutes ago) from 203.0.113.7 after 10 wrong passwords (threshold 10); " +
        "lifts when an admin unblocks, the user resets the password, the user follows the link sent to a***@example.com " +
        "at 2026-12-06 14:02 UTC (5 minutes ago) or by itself at 2027-01-05 14:02 UTC (in 30 days).",
    );
  });

  it("an IPv6 block names the network and the addresses seen; an IP throttle at risk says how much is used", () => {
    const v6: TLockoutCause = {
      kind: "brute-force",
      state: "blocked",
      ip: "2001:db8:1:2::/64",
      addresses: ["2001:db8:1:2::1", "2001:db8:1:2::2"],
      count: 10,
      threshold: 10,
      since: at("2026-12-06T14:02:00Z"),
      until: null,
      records: [],
      lifts: [],
    };
    expect(describeCause(v6, now)).toBe(
      "Blocked since 2026-12-06 14:02 UTC (5 minutes ago) from the network 2001:db8:1:2::/64 (addresses 2001:db8:1:2::1, 2001:db8:1:2::2) after 10 wrong passwords (threshold 10).",
    );
    const throttle: TLockoutCause = {
      kind: "ip-throttle",
      state: "at-risk",
      ip: "198.51.100.4",
      addresses: ["198.51.100.4"],
      count: 60,
      threshold: 100,
      since: at("2026-12-06T13:00:00Z"),
      until: at("2026-12-07T13:00:00Z"),
      records: [],
      lifts: [adminUnblockIp("198.51.100.4"), byTime(new Date("2026-12-07T13:00:00Z"))],
    };
    expect(describeCause(throttle, now)).toBe(
      "198.51.100.4 has used 60 of its 100 failed sign-ins (of every user); it is throttled when none are left; " +
        "the budget refills when an admin unblocks the IP or by itself at 2026-12-07 13:00 UTC (in 23 hours).",
    );
  });

  it("the MFA bucket, the outbox link and the headline", () => {
    const mfa: TLockoutCause = {
      kind: "mfa-throttle",
      state: "blocked",
      count: 10,
      threshold: 10,
      since: at("2026-12-06T14:00:00Z"),
      until: at("2026-12-06T14:13:00Z"),
      records: [],
      lifts: [mfaReset("auth0|1"), byTime(new Date("2026-12-06T14:13:00Z"))],
    };
    expect(describeCause(mfa, now)).toBe(
      "MFA codes refused after 10 wrong codes (limit 10); lifts when an admin resets MFA or by itself at 2026-12-06 14:13 UTC (in 6 minutes).",
    );
    const outbox: TLockoutCause = {
      ...mfa,
      kind: "brute-force",
      lifts: [
        {
          kind: "unblock-link",
          action: null,
          sent_at: at("2026-12-06T14:00:00Z"),
          to: "a***@example.com",
          status: "outbox",
          expires_at: at("2026-12-11T14:00:00Z"),
        },
      ],
    };
    expect(describeCause(outbox, now)).toContain("(no mail server is set up, so it was not mailed)");
    expect(describeState("clear")).toBe("Nothing stops this user from signing in.");
  });
});
