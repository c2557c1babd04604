import { beforeEach, describe, expect, it } from "vitest";
import { testDatabaseKinds } from "../testing/test-deps.ts";
import { useSeededDeps } from "../testing/use-deps.ts";
import { createFixtureUser } from "../testing/fixtures.ts";
import { callToken, passwordParams, type TTokenResult } from "../testing/token-calls.ts";
import { adminOf } from "../testing/admin-actors.ts";
import { updateAttackProtection } from "../admin/protection/update-attack-protection.ts";
import { getAttackProtection } from "../admin/protection/get-attack-protection.ts";
import { listBlocks } from "../admin/protection/list-blocks.ts";
import { getIpBlock } from "../admin/protection/get-ip-block.ts";
import { unblockIp } from "../admin/protection/unblock-ip.ts";
import { AdminError } from "../admin/admin-error.ts";

// IPv6 rotation: an attacker holding one /64 (2^64 addresses) — or respelling one address — must not get a fresh
// brute-force counter or IP bucket per address. Thresholds are the ones a single address gets.

const owner = adminOf("owner");
const security = adminOf("security");

/** `n` different addresses of one /64, `prefix` being its first four groups. */
function rotate(prefix: string, n: number): string[] {
  return Array.from(
    { length: n },
    (_, i) => `${prefix}:${(i + 1).toString(16)}:${((i * 7919) % 0x10000).toString(16)}::${i + 1}`,
  );
}

describe.each(testDatabaseKinds())("IPv6 clients are counted per network (%s)", (kind) => {
  const seeded = useSeededDeps(kind);

  beforeEach(async () => {
    // Every test starts from the defaults: /64, 10 attempts per identifier, 100 per IP bucket.
    await seeded.deps.db.run(`DELETE FROM "AttackProtection"`);
    seeded.deps.config.clear();
  });

  const newUser = () =>
    createFixtureUser(seeded.deps, seeded.fx, { connection: "database", password: "right-password-1" });

  const login = (user: { email: string; password: string }, ip: string, headers?: Record<string, string>) =>
    callToken(seeded.deps, { params: passwordParams(seeded.fx.clients.web, user), socketIp: ip, headers });

  const wrong = (email: string, ip: string) => login({ email, password: "wrong-password" }, ip);

  const kinds = (r: TTokenResult) => ({ status: r.status, logs: r.logs.map((l) => l.type).sort() });

  it("rotating addresses within one /64 trips the brute-force block at the threshold of one address", async () => {
    const user = await newUser();
    const single: TTokenResult[] = [];
    for (let i = 0; i < 10; i++) single.push(await wrong(user.email, "2001:db8:100:1::1"));
    single.push(await login(user, "2001:db8:100:1::1"));

    const rotated: TTokenResult[] = [];
    const addresses = rotate("2001:db8:100:2", 11);
    for (const ip of addresses.slice(0, 10)) rotated.push(await wrong(user.email, ip));
    rotated.push(await login(user, addresses[10]!));

    expect(rotated.map(kinds)).toEqual(single.map(kinds));
    expect(rotated.at(-1)).toMatchObject({ status: 429, body: { error: "too_many_attempts" } });
    expect(rotated.at(-1)!.logs.map((l) => l.type)).toEqual(["limit_wc"]);
    // The audit record keeps the address the attempt came from; the block is the network's.
    expect(rotated[9]!.logs.find((l) => l.type === "limit_wc")).toMatchObject({ ip: addresses[9] });
    const blocked = (await listBlocks(seeded.deps, security)).users.filter(
      (b) => b.identifier === user.email.toLowerCase(),
    );
    expect(blocked.map((b) => b.ip).sort()).toEqual(["2001:db8:100:1::/64", "2001:db8:100:2::/64"]);
    // Another /64 is another network.
    expect((await login(user, "2001:db8:100:3::1")).status).toBe(200);
  });

  it("rotating addresses within one /64 trips the IP throttle at the threshold of one address", async () => {
    await updateAttackProtection(seeded.deps, owner, "suspicious-ip-throttling", {
      stage: { "pre-login": { max_attempts: 3, rate: 3_600_000 } },
    });
    const user = await newUser();
    const single: TTokenResult[] = [];
    for (let i = 0; i < 3; i++) single.push(await wrong(`single-${i}@example.com`, "2001:db8:200:1::1"));
    single.push(await login(user, "2001:db8:200:1::1"));

    const rotated: TTokenResult[] = [];
    const addresses = rotate("2001:db8:200:2", 4);
    for (const [i, ip] of addresses.slice(0, 3).entries())
      rotated.push(await wrong(`rotated-${i}@example.com`, ip));
    rotated.push(await login(user, addresses[3]!));

    expect(rotated.map(kinds)).toEqual(single.map(kinds));
    expect(rotated.at(-1)!.logs.map((l) => l.type)).toEqual(["limit_mu"]);
    expect((await listBlocks(seeded.deps, security)).ips.map((b) => b.ip)).toEqual(
      expect.arrayContaining(["2001:db8:200:1::/64", "2001:db8:200:2::/64"]),
    );
    // The admin is told about the network, once.
    const mails = (
      await seeded.deps.db.all<{ subject: string }>(
        `SELECT "subject" FROM "Notification" WHERE "kind" = 'ip_throttle_block'`,
      )
    ).filter((m) => m.subject.includes("2001:db8:200:2::/64"));
    expect(mails).toHaveLength(1);
    // One refill (rate) gives the network one attempt, whatever address uses it.
    seeded.deps.clock.advance(3_600_000);
    expect((await wrong("after-refill@example.com", "2001:db8:200:2::99")).status).toBe(403);
    expect((await login(user, "2001:db8:200:2::98")).status).toBe(429);
    expect((await login(user, "2001:db8:200:3::1")).status).toBe(200);
  });

  it("different spellings of one address share a counter, at the default /64 and per address (/128)", async () => {
    await updateAttackProtection(seeded.deps, owner, "brute-force-protection", { max_attempts: 3 });
    const spellings = ["2001:0db8:300:0::1", "2001:DB8:300::1", "2001:db8:300:0:0:0:0:1"];
    const user = await newUser();
    for (const spelling of spellings) expect((await wrong(user.email, spelling)).status).toBe(403);
    expect(kinds(await login(user, "2001:db8:300::1"))).toEqual({ status: 429, logs: ["limit_wc"] });

    await updateAttackProtection(seeded.deps, owner, "brute-force-protection", { ipv6_prefix_length: 128 });
    const other = await newUser();
    for (const spelling of spellings) expect((await wrong(other.email, spelling)).status).toBe(403);
    expect(kinds(await login(other, "2001:db8:300::1"))).toEqual({ status: 429, logs: ["limit_wc"] });
    // At /128 the next address is a separate counter.
    expect((await login(other, "2001:db8:300::2")).status).toBe(200);
  });

  it("::ffff:203.0.113.7 counts with 203.0.113.7 (socket and auth0-forwarded-for)", async () => {
    await updateAttackProtection(seeded.deps, owner, "brute-force-protection", { max_attempts: 2 });
    const user = await newUser();
    expect((await wrong(user.email, "::ffff:203.0.113.7")).status).toBe(403);
    expect((await wrong(user.email, "203.0.113.7")).status).toBe(403);
    expect(kinds(await login(user, "::FFFF:203.0.113.7"))).toEqual({ status: 429, logs: ["limit_wc"] });
    // A trusted server-side caller forwarding the mapped form of the blocked address.
    const forwarded = await login(user, "198.51.100.200", { "auth0-forwarded-for": "::ffff:203.0.113.7" });
    expect(kinds(forwarded)).toEqual({ status: 429, logs: ["limit_wc"] });
    expect(forwarded.logs[0]).toMatchObject({ ip: "203.0.113.7", client_ip: "198.51.100.200" });
    expect((await login(user, "203.0.113.8")).status).toBe(200);
  });

  it("a zone id is refused: not believed when forwarded, no fresh counter, 400 from the admin API", async () => {
    await updateAttackProtection(seeded.deps, owner, "brute-force-protection", { max_attempts: 2 });
    const user = await newUser();
    // auth0-forwarded-for with a zone id is not an address: the caller's own address is counted.
    const server = "198.51.100.201";
    const first = await login({ email: user.email, password: "bad" }, server, {
      "auth0-forwarded-for": "2001:db8:400::1%eth0",
    });
    expect(first.logs.find((l) => l.type === "fp")).toMatchObject({ ip: server });
    expect((await wrong(user.email, server)).status).toBe(403);
    expect((await login(user, server, { "auth0-forwarded-for": "2001:db8:400::1%eth1" })).status).toBe(429);
    // Rotating zone ids on a client address buys no fresh counter.
    const other = await newUser();
    expect((await wrong(other.email, "fe80::1%a")).status).toBe(403);
    expect((await wrong(other.email, "fe80::1%b")).status).toBe(403);
    expect((await login(other, "fe80::1%c")).status).toBe(429);
    // The admin API and CLI refuse it with a clear message.
    for (const call of [
      () => unblockIp(seeded.deps, security, "fe80::1%eth0"),
      () => getIpBlock(seeded.deps, security, "fe80::1%eth0"),
    ]) {
      const err = await call().then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(AdminError);
      expect(err).toMatchObject({ status: 400, message: expect.stringMatching(/zone id/) });
    }
    await expect(
      updateAttackProtection(seeded.deps, owner, "brute-force-protection", { allowlist: ["fe80::1%eth0"] }),
    ).rejects.toThrow(/allowlist\[0\]/);
  });

  it("allowlists match any spelling of an address, IPv6 CIDRs and IPv4-mapped ranges", async () => {
    await updateAttackProtection(seeded.deps, owner, "brute-force-protection", {
      max_attempts: 1,
      allowlist: ["2001:0DB8:0700:0001:0:0:0:5", "2001:db8:701::/64", "::ffff:198.18.0.0/112"],
    });
    const user = await newUser();
    for (const ip of ["2001:db8:700:1::5", "2001:db8:701::abcd", "198.18.200.1", "::ffff:198.18.0.9"]) {
      expect((await wrong(user.email, ip)).status, ip).toBe(403);
      expect((await login(user, ip)).status, ip).toBe(200);
    }
    // An allowlisted address exempts itself, not its /64.
    expect((await wrong(user.email, "2001:db8:700:1::6")).status).toBe(403);
    expect((await login(user, "2001:db8:700:1::7")).status).toBe(429);
  });

  it("unblock by any address of the /64, in any spelling, lifts the /64's brute-force and throttle blocks", async () => {
    await updateAttackProtection(seeded.deps, owner, "brute-force-protection", { max_attempts: 2 });
    await updateAttackProtection(seeded.deps, owner, "suspicious-ip-throttling", {
      stage: { "pre-login": { max_attempts: 3, rate: 3_600_000 } },
    });
    const user = await newUser();
    const [a, b, c] = rotate("2001:db8:500:1", 3) as [string, string, string];
    expect((await wrong(user.email, a)).status).toBe(403);
    expect((await wrong(user.email, b)).status).toBe(403);
    expect((await wrong("made-up@example.com", c)).status).toBe(403);
    expect((await login(user, "2001:db8:500:1::77")).status).toBe(429);
    // Checking a block accepts any address of the network and says which network is refused.
    expect(await getIpBlock(seeded.deps, security, "2001:0DB8:0500:0001:0:0:0:abcd")).toMatchObject({
      ip: "2001:db8:500:1::abcd",
      counted_as: "2001:db8:500:1::/64",
    });
    await expect(getIpBlock(seeded.deps, security, "2001:db8:500:2::1")).rejects.toMatchObject({
      status: 404,
    });

    await unblockIp(seeded.deps, security, "2001:0DB8:0500:0001:0:0:0:abcd");
    const left = await listBlocks(seeded.deps, security);
    expect(left.users.filter((r) => r.ip === "2001:db8:500:1::/64")).toEqual([]);
    expect(left.ips.filter((r) => r.ip === "2001:db8:500:1::/64")).toEqual([]);
    await expect(getIpBlock(seeded.deps, security, a)).rejects.toMatchObject({ status: 404 });
    expect((await login(user, "2001:db8:500:1::1234")).status).toBe(200);

    // The network as the blocks list shows it works too (the CLI takes what `blocks list` prints).
    expect((await wrong(user.email, a)).status).toBe(403);
    expect((await wrong(user.email, b)).status).toBe(403);
    expect((await login(user, c)).status).toBe(429);
    await unblockIp(seeded.deps, security, "2001:db8:500:1::/64");
    expect((await login(user, c)).status).toBe(200);
  });

  it("a /48 setting groups wider; the setting is validated and round-trips through the admin API", async () => {
    await expect(
      updateAttackProtection(seeded.deps, owner, "brute-force-protection", { ipv6_prefix_length: 16 }),
    ).rejects.toThrow(/ipv6_prefix_length: must be 32 to 128/);
    await expect(
      updateAttackProtection(seeded.deps, owner, "suspicious-ip-throttling", { ipv6_prefix_length: 129 }),
    ).rejects.toThrow(/ipv6_prefix_length/);
    await updateAttackProtection(seeded.deps, owner, "brute-force-protection", {
      max_attempts: 3,
      ipv6_prefix_length: 48,
    });
    await updateAttackProtection(seeded.deps, owner, "suspicious-ip-throttling", {
      ipv6_prefix_length: 48,
      stage: { "pre-login": { max_attempts: 4, rate: 3_600_000 } },
    });
    expect(await getAttackProtection(seeded.deps, security, "brute-force-protection")).toMatchObject({
      ipv6_prefix_length: 48,
    });
    const user = await newUser();
    // Three different /64s of one /48.
    for (const ip of ["2001:db8:600:1::1", "2001:db8:600:2::1", "2001:db8:600:ffff::1"])
      expect((await wrong(user.email, ip)).status).toBe(403);
    expect(kinds(await login(user, "2001:db8:600:abcd::1"))).toEqual({ status: 429, logs: ["limit_wc"] });
    expect((await listBlocks(seeded.deps, security)).users.map((r) => r.ip)).toContain("2001:db8:600::/48");
    // The /48's IP bucket: one more failure (another identifier) empties it, for every identifier.
    const other = await newUser();
    expect((await wrong("someone-else@example.com", "2001:db8:600:77::1")).status).toBe(403);
    expect(kinds(await login(other, "2001:db8:600:78::1"))).toEqual({ status: 429, logs: ["limit_mu"] });
    // Another /48 is unaffected.
    expect((await login(user, "2001:db8:601:1::1")).status).toBe(200);
    expect((await login(other, "2001:db8:601:1::1")).status).toBe(200);

    // Back at /64 the /48 keys refuse nothing and leave the blocks list; /64s count separately again.
    await updateAttackProtection(seeded.deps, owner, "brute-force-protection", { ipv6_prefix_length: 64 });
    await updateAttackProtection(seeded.deps, owner, "suspicious-ip-throttling", { ipv6_prefix_length: 64 });
    const blocks = await listBlocks(seeded.deps, security);
    expect([...blocks.users, ...blocks.ips].map((r) => r.ip)).not.toContain("2001:db8:600::/48");
    expect((await login(user, "2001:db8:600:1::1")).status).toBe(200);
  });
});
