import { mkdtempSync, writeFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { createTestDeps, type TTestDeps } from "../testing/test-deps.ts";
import { importTenant } from "../tenant/import-tenant.ts";
import { exportTenant } from "../tenant/export-tenant.ts";
import { getAttackProtection } from "../admin/protection/get-attack-protection.ts";
import { CLI_ACTOR } from "../admin/audit.ts";
import { compileIpList, isIpOrCidr } from "../platform/ip-match.ts";
import { resolveEndUserIp, resolveProxiedClientIp } from "./forwarded-ip.ts";
import { convertBreachCorpus, createBreachedPasswords } from "./breached-passwords.ts";
import {
  breachedShieldsAt,
  resolvePolicies,
  DEFAULT_BREACHED_PASSWORD,
  DEFAULT_BRUTE_FORCE,
} from "./policies.ts";
import { isAdminAuthorized } from "../admin/guard.ts";

describe("IP lists", () => {
  it("validates addresses and CIDR ranges of both families", () => {
    for (const ok of ["10.0.0.1", "10.0.0.0/8", "::1", "2001:db8::/32", "0.0.0.0/0"])
      expect(isIpOrCidr(ok), ok).toBe(true);
    for (const bad of [
      "10.0.0.0/33",
      "2001:db8::/129",
      "10.0.0",
      "example.com",
      "10.0.0.0/8/1",
      "10.0.0.0/-1",
      "",
    ])
      expect(isIpOrCidr(bad), bad).toBe(false);
  });

  it("matches IPv4, IPv4-mapped IPv6 and IPv6 ranges", () => {
    const list = compileIpList(["10.1.0.0/16", "2001:db8:abcd::/48", "192.0.2.9"]);
    expect(
      ["10.1.200.3", "::ffff:10.1.0.1", "2001:db8:abcd:1::5", "192.0.2.9"].map((ip) => list.has(ip)),
    ).toEqual([true, true, true, true]);
    expect(
      ["10.2.0.1", "2001:db8:abce::1", "192.0.2.10", "garbage", undefined].map((ip) => list.has(ip)),
    ).toEqual([false, false, false, false, false]);
  });
});

describe("client IP resolution", () => {
  it("auth0-forwarded-for counts only for a secret-authenticated, trusting client and a valid IP", () => {
    const base = {
      clientIp: "198.51.100.1",
      forwardedFor: "203.0.113.5",
      isSecretAuthenticated: true,
      isHeaderTrusted: true,
    };
    expect(resolveEndUserIp(base)).toBe("203.0.113.5");
    expect(resolveEndUserIp({ ...base, isSecretAuthenticated: false })).toBe("198.51.100.1");
    expect(resolveEndUserIp({ ...base, isHeaderTrusted: false })).toBe("198.51.100.1");
    expect(resolveEndUserIp({ ...base, forwardedFor: "203.0.113.5, 10.0.0.1" })).toBe("198.51.100.1");
    expect(resolveEndUserIp({ ...base, forwardedFor: null })).toBe("198.51.100.1");
  });

  it("X-Forwarded-For is read only from trusted proxies, right to left, skipping trusted hops", () => {
    const trusted = compileIpList(["10.0.0.0/8"]);
    // Not from a proxy: the header is the client's own claim and is ignored.
    expect(resolveProxiedClientIp("198.51.100.7", "1.2.3.4", trusted)).toBe("198.51.100.7");
    // From the load balancer: the right-most untrusted entry; spoofed entries to its left are ignored.
    expect(resolveProxiedClientIp("10.0.0.2", "6.6.6.6, 203.0.113.9, 10.0.0.3", trusted)).toBe("203.0.113.9");
    expect(resolveProxiedClientIp("10.0.0.2", ["6.6.6.6", "203.0.113.9"], trusted)).toBe("203.0.113.9");
    // A malformed hop means the chain cannot be believed.
    expect(resolveProxiedClientIp("10.0.0.2", "203.0.113.9, bogus", trusted)).toBe("10.0.0.2");
    expect(resolveProxiedClientIp("10.0.0.2", undefined, trusted)).toBe("10.0.0.2");
    // Only trusted proxies all the way: the left-most one is the client.
    expect(resolveProxiedClientIp("10.0.0.2", "10.9.9.9", trusted)).toBe("10.9.9.9");
  });
});

describe("admin token check", () => {
  it("is never satisfied without a configured token and needs the exact bearer token", () => {
    const token = "x".repeat(40);
    expect(isAdminAuthorized(`Bearer ${token}`, undefined)).toBe(false);
    expect(isAdminAuthorized(null, token)).toBe(false);
    expect(isAdminAuthorized(`Bearer ${token}x`, token)).toBe(false);
    expect(isAdminAuthorized(`Basic ${token}`, token)).toBe(false);
    expect(isAdminAuthorized(`Bearer ${token}`, token)).toBe(true);
  });
});

describe("stored policies", () => {
  it("fall back to defaults field by field, never switching protection off", () => {
    const p = resolvePolicies({
      bruteForceProtection: { max_attempts: 500, mode: "count_per_identifier", enabled: "yes" },
      suspiciousIpThrottling: null,
      breachedPasswordDetection: "garbage",
    });
    expect(p.bruteForce).toMatchObject({ ...DEFAULT_BRUTE_FORCE, mode: "count_per_identifier" });
    expect(p.suspiciousIp.stage["pre-login"]).toEqual({ max_attempts: 100, rate: 864000 });
    expect(p.breachedPassword.enabled).toBe(false);
  });

  it("read the breached-password stages (optional, no default), dropping an invalid one", () => {
    const stage = { "pre-user-registration": { shields: ["admin_notification"] } };
    expect(
      resolvePolicies({
        bruteForceProtection: {},
        suspiciousIpThrottling: {},
        breachedPasswordDetection: { enabled: true, stage },
      }).breachedPassword,
    ).toEqual({ ...DEFAULT_BREACHED_PASSWORD, enabled: true, stage });
    expect(
      resolvePolicies({
        bruteForceProtection: {},
        suspiciousIpThrottling: {},
        breachedPasswordDetection: { stage: { "pre-user-registration": { shields: ["bogus"] } } },
      }).breachedPassword,
    ).toEqual(DEFAULT_BREACHED_PASSWORD);
  });
});

describe("breached-password shields per stage", () => {
  const on = { ...DEFAULT_BREACHED_PASSWORD, enabled: true };
  it("a stage that is set decides alone", () => {
    const policy = {
      ...on,
      shields: ["block" as const],
      stage: {
        "pre-user-registration": { shields: ["admin_notification" as const] },
        "pre-change-password": { shields: [] },
      },
    };
    expect(breachedShieldsAt(policy, "pre-user-registration")).toEqual(["admin_notification"]);
    expect(breachedShieldsAt(policy, "pre-change-password")).toEqual([]);
  });

  it("a stage left unset blocks when the login blocks, and never notifies (the behaviour before stages)", () => {
    expect(
      breachedShieldsAt(
        { ...on, shields: ["block", "admin_notification", "user_notification"] },
        "pre-user-registration",
      ),
    ).toEqual(["block"]);
    expect(breachedShieldsAt({ ...on, shields: ["admin_notification"] }, "pre-change-password")).toEqual([]);
  });

  it("nothing applies while detection is off", () => {
    const off = {
      ...DEFAULT_BREACHED_PASSWORD,
      stage: { "pre-user-registration": { shields: ["block" as const] } },
    };
    expect(breachedShieldsAt(off, "pre-user-registration")).toEqual([]);
  });
});

describe("breached passwords", () => {
  const dir = mkdtempSync(join(tmpdir(), "portcullis-breach-"));
  const sha1 = (s: string) => createHash("sha1").update(s).digest("hex").toUpperCase();

  it("knows Auth0's test passwords and the bundled common list, case-insensitively", async () => {
    const b = createBreachedPasswords();
    expect(await b.isBreached("AUTH0-TEST-anything")).toBe(true);
    expect(await b.isBreached("Paaf213XXYYZZ")).toBe(true);
    expect(await b.isBreached("password1")).toBe(true);
    expect(await b.isBreached("Dragon")).toBe(true);
    expect(await b.isBreached("auth0-test-lowercase-is-not-the-prefix")).toBe(false);
    expect(await b.isBreached("correct horse battery staple")).toBe(false);
  });

  it("converts an HIBP-style SHA-1 dump (with a minimum count) and a plain list into a compact corpus", async () => {
    const dump = join(dir, "pwned.txt");
    const lines = [
      `${sha1("hunter2-but-longer")}:42`,
      `${sha1("rare-password-seen-once")}:1`,
      "not a hash line",
      `${sha1("another leaked one")}`,
      `${sha1("hunter2-but-longer")}:42`,
    ];
    writeFileSync(dump, lines.join("\n") + "\n");
    const out = join(dir, "corpus.bin");
    const report = await convertBreachCorpus(dump, out, { minCount: 2 });
    expect(report).toEqual({ read: 5, kept: 3, skipped: 1, written: 2 });
    expect(statSync(out).size).toBe(16 + 2 * 8);
    const b = createBreachedPasswords({ corpusFile: out });
    expect(b.corpusSize).toBe(2);
    expect(await b.isBreached("hunter2-but-longer")).toBe(true);
    expect(await b.isBreached("another leaked one")).toBe(true);
    expect(await b.isBreached("rare-password-seen-once")).toBe(false);
    expect(await b.isBreached("never leaked 8b1f0c")).toBe(false);

    const plain = join(dir, "plain.txt");
    writeFileSync(plain, "zebra-unicorn-42\nsecond one here\n");
    await convertBreachCorpus(plain, join(dir, "plain.bin"), { isPlain: true });
    const p = createBreachedPasswords({ corpusFile: join(dir, "plain.bin") });
    expect(await p.isBreached("zebra-unicorn-42")).toBe(true);
    expect(await p.isBreached("zebra-unicorn-43")).toBe(false);
  });

  it("refuses a file that is not a converted corpus", () => {
    const bad = join(dir, "bad.bin");
    writeFileSync(bad, "hello");
    expect(() => createBreachedPasswords({ corpusFile: bad })).toThrow(
      /not a Portcullis breached-password corpus/,
    );
  });
});

describe("tenant YAML attackProtection", () => {
  let deps: TTestDeps;
  beforeAll(async () => {
    deps = await createTestDeps("sqlite");
  });
  afterAll(async () => {
    await deps.cleanup();
  });

  it("imports deploy-CLI attackProtection (breached-password stages included) and exports it back", async () => {
    const report = await importTenant(
      deps,
      [
        "attackProtection:",
        "  bruteForceProtection:",
        "    enabled: true",
        "    shields: [block]",
        "    mode: count_per_identifier",
        "    allowlist: [10.0.0.0/8, '2001:db8::/32']",
        "    max_attempts: 5",
        "    ipv6_prefix_length: 48",
        "  suspiciousIpThrottling:",
        "    stage:",
        "      pre-login: { max_attempts: 20, rate: 60000 }",
        "  breachedPasswordDetection:",
        "    enabled: true",
        "    shields: [block, admin_notification]",
        "    admin_notification_frequency: [daily]",
        "    stage: { pre-user-registration: { shields: [block] }, pre-change-password: { shields: [admin_notification] } }",
        "  extraPolicy: true",
      ].join("\n"),
    );
    expect(report.unsupported).toEqual(["attackProtection.extraPolicy"]);
    expect(await getAttackProtection(deps, CLI_ACTOR, "breached-password-detection")).toEqual({
      enabled: true,
      shields: ["block", "admin_notification"],
      admin_notification_frequency: ["daily"],
      method: "standard",
      stage: {
        "pre-user-registration": { shields: ["block"] },
        "pre-change-password": { shields: ["admin_notification"] },
      },
    });
    expect(await getAttackProtection(deps, CLI_ACTOR, "brute-force-protection")).toEqual({
      enabled: true,
      shields: ["block"],
      mode: "count_per_identifier",
      allowlist: ["10.0.0.0/8", "2001:db8::/32"],
      max_attempts: 5,
      ipv6_prefix_length: 48,
    });
    expect(await getAttackProtection(deps, CLI_ACTOR, "suspicious-ip-throttling")).toMatchObject({
      enabled: true,
      ipv6_prefix_length: 64,
      stage: { "pre-login": { max_attempts: 20, rate: 60000 } },
    });
    const exported = parseYaml(await exportTenant(deps)) as { attackProtection: Record<string, unknown> };
    expect(exported.attackProtection.bruteForceProtection).toMatchObject({
      max_attempts: 5,
      mode: "count_per_identifier",
      ipv6_prefix_length: 48,
    });
    expect(exported.attackProtection.breachedPasswordDetection).toMatchObject({
      enabled: true,
      admin_notification_frequency: ["daily"],
      stage: {
        "pre-user-registration": { shields: ["block"] },
        "pre-change-password": { shields: ["admin_notification"] },
      },
    });
    // The exported file imports back unchanged.
    const again = await importTenant(deps, await exportTenant(deps));
    expect(again.unsupported).toEqual([]);
    expect(await getAttackProtection(deps, CLI_ACTOR, "brute-force-protection")).toMatchObject({
      max_attempts: 5,
      ipv6_prefix_length: 48,
    });
    expect((await getAttackProtection(deps, CLI_ACTOR, "breached-password-detection")).stage).toEqual({
      "pre-user-registration": { shields: ["block"] },
      "pre-change-password": { shields: ["admin_notification"] },
    });
    // A file naming one stage changes that stage only.
    await importTenant(
      deps,
      "attackProtection:\n  breachedPasswordDetection:\n    stage: { pre-change-password: { shields: [] } }\n",
    );
    expect((await getAttackProtection(deps, CLI_ACTOR, "breached-password-detection")).stage).toEqual({
      "pre-user-registration": { shields: ["block"] },
      "pre-change-password": { shields: [] },
    });
  });

  it("refuses a stage shield Auth0 does not have there, and changes nothing", async () => {
    const before = await getAttackProtection(deps, CLI_ACTOR, "breached-password-detection");
    await expect(
      importTenant(
        deps,
        "attackProtection:\n  breachedPasswordDetection:\n    stage: { pre-user-registration: { shields: [user_notification] } }\n",
      ),
    ).rejects.toThrow(
      /attackProtection\.breachedPasswordDetection\.stage\.pre-user-registration\.shields\[0\]/,
    );
    expect(await getAttackProtection(deps, CLI_ACTOR, "breached-password-detection")).toEqual(before);
  });

  it("refuses invalid policies and changes nothing", async () => {
    const attempt = importTenant(
      deps,
      "attackProtection:\n  bruteForceProtection:\n    max_attempts: 1000\n    allowlist: [not-an-ip, 'fe80::1%eth0']\n    ipv6_prefix_length: 16\n",
    );
    await expect(attempt).rejects.toThrow(/attackProtection\.bruteForceProtection\.max_attempts/);
    await expect(attempt).rejects.toThrow(/attackProtection\.bruteForceProtection\.allowlist\[0\]/);
    await expect(attempt).rejects.toThrow(/attackProtection\.bruteForceProtection\.allowlist\[1\]/);
    await expect(attempt).rejects.toThrow(
      /attackProtection\.bruteForceProtection\.ipv6_prefix_length: must be 32 to 128/,
    );
    expect(await getAttackProtection(deps, CLI_ACTOR, "brute-force-protection")).toMatchObject({
      max_attempts: 5,
    });
  });
});
