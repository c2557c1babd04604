import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  fetchWithLimits,
  readFetchRequest,
  type TFetchBudget,
  type TFetchReply,
} from "./fetch-capability.ts";
import type { TLookupAll } from "./fetch-target.ts";
import { DEFAULT_RULES_LIMITS } from "./types.ts";

/**
 * What a rule's fetch may reach. The allowlist names hosts; addresses other than public unicast are reachable only
 * when it also names the IP or a CIDR holding it, names are resolved once and the request goes to the address that
 * was checked. Only loopback is ever contacted here: every refusal happens before a connection is made.
 */
describe("rules fetch reaches only what the allowlist names", () => {
  let server: Server;
  let port = 0;
  const seen: { host: string | undefined; url: string | undefined }[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ host: req.headers.host, url: req.url });
      res.end("hello from loopback");
    });
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

  const budget = (allowedHosts: string[]): TFetchBudget => ({
    allowedHosts,
    deadline: Date.now() + 5000,
    used: 0,
    limits: DEFAULT_RULES_LIMITS,
    controllers: new Set(),
  });
  /** A resolver that answers from a table and counts its calls; nothing else is ever asked. */
  function fakeDns(table: Record<string, string[]>): TLookupAll & { calls: string[] } {
    const calls: string[] = [];
    const fn = async (hostname: string) => {
      calls.push(hostname);
      const addresses = table[hostname];
      if (!addresses) throw new Error(`ENOTFOUND ${hostname}`);
      return addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
    };
    return Object.assign(fn, { calls });
  }
  async function get(url: string, allowed: string[], dns = fakeDns({})): Promise<TFetchReply> {
    const req = readFetchRequest(JSON.stringify({ url, method: "GET", headers: {}, body: null }), 1024);
    if ("error" in req) throw new Error(req.error);
    return fetchWithLimits(req, budget(allowed), dns);
  }

  it("refuses a name that resolves to a loopback, private, link-local, unique-local, metadata or mapped address", async () => {
    const internal = [
      "127.0.0.1",
      "::1",
      "10.0.0.1",
      "172.16.0.1",
      "192.168.1.1",
      "169.254.169.254",
      "fd00:ec2::254",
      "fe80::1",
      "::ffff:127.0.0.1",
      "::ffff:a9fe:a9fe",
      "0.0.0.0",
      "100.64.0.1",
      "224.0.0.1",
    ];
    const table: Record<string, string[]> = { "mixed.example": ["93.184.216.34", "10.0.0.1"] };
    internal.forEach((address, i) => (table[`host${i}.example`] = [address]));
    const dns = fakeDns(table);
    for (const name of Object.keys(table)) {
      const reply = await get(`http://${name}:${port}/`, [`${name}:${port}`], dns);
      expect(reply, name).toMatchObject({ ok: false });
      expect(!reply.ok && reply.error, name).toMatch(/only addresses the allowlist names as an IP or CIDR/);
    }
    // The real resolver too: localhost is on the allowlist by name only, and resolves to loopback.
    const local = await get(`http://localhost:${port}/`, [`localhost:${port}`], undefined);
    expect(local).toMatchObject({ ok: false });
    expect(seen).toEqual([]);
  });

  it("reaches an internal address the allowlist names as an IP or a CIDR", async () => {
    expect(await get(`http://127.0.0.1:${port}/a`, [`127.0.0.1:${port}`])).toMatchObject({
      ok: true,
      status: 200,
      body: "hello from loopback",
    });
    expect(await get(`http://127.0.0.1:${port}/b`, ["127.0.0.0/8"])).toMatchObject({ ok: true, status: 200 });
    expect(await get(`http://127.0.0.1:${port}/c`, [`127.0.0.2:${port}`, "10.0.0.0/8"])).toMatchObject({
      ok: false,
    });
    expect(seen.map((s) => s.url)).toEqual(["/a", "/b"]);
  });

  it("resolves a name once and connects to the address it checked", async () => {
    seen.length = 0;
    const dns = fakeDns({ "pinned.example": ["127.0.0.1"] });
    const reply = await get(
      `http://pinned.example:${port}/pinned`,
      [`pinned.example:${port}`, "127.0.0.1"],
      dns,
    );
    expect(reply).toMatchObject({ ok: true, body: "hello from loopback" });
    // One answer, used for the connection: a rebinding second answer is never asked for. The name stays the Host.
    expect(dns.calls).toEqual(["pinned.example"]);
    expect(seen).toEqual([{ host: `pinned.example:${port}`, url: "/pinned" }]);
  });
});
