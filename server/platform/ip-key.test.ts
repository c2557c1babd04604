import { describe, expect, it } from "vitest";
import { canonicalIp, ipCountingKey, isCurrentIpKey, parseIp, parseIpTarget } from "./ip-key.ts";
import { compileIpList, isIpOrCidr } from "./ip-match.ts";
import { resolveEndUserIp, resolveProxiedClientIp } from "../protection/forwarded-ip.ts";

describe("client address keys", () => {
  it("spellings of one IPv6 address are one canonical address and one key", () => {
    const spellings = ["2001:0db8:0::1", "2001:db8::1", "2001:DB8:0:0:0:0:0:1", " 2001:db8:0000::0001 "];
    expect(new Set(spellings.map(canonicalIp))).toEqual(new Set(["2001:db8::1"]));
    expect(new Set(spellings.map((s) => ipCountingKey(s, 64)))).toEqual(new Set(["2001:db8::/64"]));
    expect(new Set(spellings.map((s) => ipCountingKey(s, 128)))).toEqual(new Set(["2001:db8::1/128"]));
  });

  it("every address of one /64 has the /64's key; a /48 setting groups wider", () => {
    const rotated = ["2001:db8:7:1::1", "2001:db8:7:1:ffff:ffff:ffff:ffff", "2001:db8:7:1:dead:beef:0:1"];
    expect(new Set(rotated.map((ip) => ipCountingKey(ip, 64)))).toEqual(new Set(["2001:db8:7:1::/64"]));
    expect(ipCountingKey("2001:db8:7:2::1", 64)).toBe("2001:db8:7:2::/64");
    expect(
      new Set([...rotated, "2001:db8:7:2::1", "2001:db8:7:ffff::9"].map((ip) => ipCountingKey(ip, 48))),
    ).toEqual(new Set(["2001:db8:7::/48"]));
    expect(ipCountingKey("2001:db8:8::1", 48)).toBe("2001:db8:8::/48");
  });

  it("IPv4 is counted per address; IPv4-mapped IPv6 counts as the IPv4 address", () => {
    for (const mapped of ["::ffff:203.0.113.7", "::FFFF:203.0.113.7", "0:0:0:0:0:ffff:cb00:7107"]) {
      expect(canonicalIp(mapped), mapped).toBe("203.0.113.7");
      expect(ipCountingKey(mapped, 64), mapped).toBe("203.0.113.7");
    }
    expect(ipCountingKey("203.0.113.7", 48)).toBe("203.0.113.7");
    expect(ipCountingKey("203.0.113.8", 48)).toBe("203.0.113.8");
  });

  it("refuses zone ids and non-decimal IPv4 forms; unreadable addresses share one key", () => {
    expect(parseIp("fe80::1%eth0")).toEqual({ ok: false, reason: "zone_id" });
    expect(parseIp("2001:db8::1%1")).toEqual({ ok: false, reason: "zone_id" });
    for (const bad of ["010.0.0.1", "0x7f.0.0.1", "127.1", "garbage", "", "2001:db8::1/64"])
      expect(parseIp(bad), bad).toEqual({ ok: false, reason: "invalid" });
    // Rotating zone ids (or junk) buys no fresh counter.
    expect(
      new Set(["fe80::1%x", "fe80::1%y", "junk-1", "junk-2"].map((s) => ipCountingKey(s, 64))).size,
    ).toBe(1);
  });

  it("an admin target (address in any spelling, or network) names every key that contains it", () => {
    const t = parseIpTarget("2001:DB8:0:7::abcd");
    expect(t.ok && t.ip).toBe("2001:db8:0:7::abcd");
    expect(t.ok && t.keys).toEqual(
      expect.arrayContaining([
        "2001:db8:0:7::/64",
        "2001:db8::/48",
        "2001:db8:0:7::abcd/128",
        "2001:db8:0:7::abcd",
      ]),
    );
    expect(t.ok && t.keys).not.toContain("2001:db8:0:8::/64");
    const net = parseIpTarget("2001:db8:0:7::/64");
    expect(net.ok && net.ip).toBe("2001:db8:0:7::/64");
    expect(net.ok && net.keys).toEqual(expect.arrayContaining(["2001:db8:0:7::/64", "2001:db8::/48"]));
    expect(net.ok && net.keys).not.toContain("2001:db8:0:7::/80");
    expect(parseIpTarget("::ffff:203.0.113.7")).toEqual({
      ok: true,
      ip: "203.0.113.7",
      keys: ["203.0.113.7"],
    });
    expect(parseIpTarget("fe80::1%eth0")).toEqual({ ok: false, reason: "zone_id" });
    expect(parseIpTarget("203.0.113.0/24")).toEqual({ ok: false, reason: "ipv4_range" });
    expect(parseIpTarget("2001:db8::/129")).toEqual({ ok: false, reason: "invalid" });
  });

  it("knows which stored keys are in force for a prefix setting", () => {
    expect(isCurrentIpKey("2001:db8::/64", 64)).toBe(true);
    expect(isCurrentIpKey("2001:db8::/64", 48)).toBe(false);
    // Written before keys were canonical: refuses nothing now.
    expect(isCurrentIpKey("2001:db8::1", 64)).toBe(false);
    expect(isCurrentIpKey("203.0.113.7", 64)).toBe(true);
    expect(isCurrentIpKey("", 64)).toBe(true);
  });
});

describe("allowlists and forwarded addresses use canonical forms", () => {
  it("allowlists match any spelling and IPv4-mapped ranges, and refuse zone ids", () => {
    expect(isIpOrCidr("fe80::1%eth0")).toBe(false);
    expect(isIpOrCidr("fe80::%eth0/64")).toBe(false);
    expect(isIpOrCidr("::ffff:198.18.0.0/112")).toBe(true);
    expect(isIpOrCidr("::ffff:198.18.0.0/95")).toBe(false);
    const list = compileIpList(["2001:0DB8:0:9::1", "::ffff:198.18.0.0/112", "fe80::1%eth0"]);
    expect(
      ["2001:db8:0:9::1", "2001:db8:0:9:0:0:0:1", "198.18.3.4", "::ffff:198.18.3.4"].map((ip) =>
        list.has(ip),
      ),
    ).toEqual([true, true, true, true]);
    expect(["2001:db8:0:9::2", "198.19.0.1", "fe80::1", "fe80::1%eth0"].map((ip) => list.has(ip))).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });

  it("a forwarded address with a zone id is not believed; others are canonical", () => {
    const base = { clientIp: "198.51.100.1", isSecretAuthenticated: true, isHeaderTrusted: true };
    expect(resolveEndUserIp({ ...base, forwardedFor: "2001:db8:feed::1%eth0" })).toBe("198.51.100.1");
    expect(resolveEndUserIp({ ...base, forwardedFor: "2001:0DB8:feed:0::1" })).toBe("2001:db8:feed::1");
    expect(resolveEndUserIp({ ...base, forwardedFor: "::ffff:203.0.113.7" })).toBe("203.0.113.7");
    const trusted = compileIpList(["10.0.0.0/8", "2001:db8:ffff::/48"]);
    expect(resolveProxiedClientIp("10.0.0.2", "2001:db8::1%eth0", trusted)).toBe("10.0.0.2");
    expect(resolveProxiedClientIp("10.0.0.2", "2001:0db8:0::1", trusted)).toBe("2001:db8::1");
    expect(resolveProxiedClientIp("::ffff:10.0.0.2", "::ffff:203.0.113.7", trusted)).toBe("203.0.113.7");
    expect(resolveProxiedClientIp("2001:DB8:FFFF::1", "2001:db8:1::1, 2001:db8:ffff::2", trusted)).toBe(
      "2001:db8:1::1",
    );
  });
});
