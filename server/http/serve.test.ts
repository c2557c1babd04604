import type { IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDeps, type TTestDeps } from "../testing/test-deps.ts";
import { createHttpServer, socketAddress } from "./serve.ts";
import { CLIENT_IP_HEADER } from "../oauth/core/request.ts";
import { listLogs } from "../store/logs.ts";

/**
 * Our HTTP server on a free loopback port for the enclosing describe block, over a fresh SQLite database, with a
 * stand-in for Next.js's request handler that reports the client IP header it was given.
 */
function useIpEchoServer(envOverrides: Record<string, string> = {}): { deps: TTestDeps; base: string } {
  const started = {} as { deps: TTestDeps; base: string };
  let close: () => Promise<void>;
  beforeAll(async () => {
    started.deps = await createTestDeps("sqlite", envOverrides);
    const server = createHttpServer(started.deps, async (req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ ip: req.headers[CLIENT_IP_HEADER] ?? null }));
    });
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    started.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => new Promise((ok) => server.close(() => ok()));
  });
  afterAll(async () => {
    await close();
    await started.deps.cleanup();
  });
  return started;
}

describe("HTTP server", () => {
  const server = useIpEchoServer();

  it("replaces a client-sent client-IP header with the socket address", async () => {
    const res = await fetch(`${server.base}/anything`, { headers: { [CLIENT_IP_HEADER]: "6.6.6.6" } });
    expect(await res.json()).toEqual({ ip: "127.0.0.1" });
  });

  it("answers POST /oauth/token and /api/oauth/token itself, in the OAuth error shape, logging the socket IP", async () => {
    for (const path of ["/oauth/token", "/api/oauth/token"]) {
      const res = await fetch(`${server.base}${path}`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", [CLIENT_IP_HEADER]: "6.6.6.6" },
        body: "grant_type=urn:nope",
      });
      expect(res.status).toBe(400);
      expect(res.headers.get("cache-control")).toBe("no-store");
      expect(await res.json()).toEqual({
        error: "unsupported_grant_type",
        error_description: "Unsupported grant type: urn:nope",
      });
    }
    const logs = await listLogs(server.deps.db, { take: 2 });
    expect(logs.map((l) => l.client_ip)).toEqual(["127.0.0.1", "127.0.0.1"]);
  });

  it("answers POST /oauth/revoke and /api/oauth/revoke itself, with the same 64 KiB body cap", async () => {
    for (const path of ["/oauth/revoke", "/api/oauth/revoke"]) {
      const res = await fetch(`${server.base}${path}`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "client_id=abc",
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        error: "invalid_request",
        error_description: "Missing required parameter: token",
      });
      const big = await fetch(`${server.base}${path}`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "token=" + "x".repeat(200_000),
      });
      expect(big.status).toBe(413);
      expect(((await big.json()) as { error: string }).error).toBe("invalid_request");
    }
  });

  it("refuses bodies over 64 KiB with 413 without buffering them all", async () => {
    const res = await fetch(`${server.base}/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "a=" + "x".repeat(200_000),
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: string }).error).toBe("invalid_request");
  });
});

describe("HTTP server behind trusted proxies", () => {
  const server = useIpEchoServer({ TRUSTED_PROXIES: "127.0.0.1, 10.0.0.0/8" });

  it("takes the right-most X-Forwarded-For entry that is not a trusted proxy; spoofed entries to its left are ignored", async () => {
    const res = await fetch(`${server.base}/anything`, {
      headers: { "x-forwarded-for": "6.6.6.6, 203.0.113.50, 10.1.2.3", [CLIENT_IP_HEADER]: "7.7.7.7" },
    });
    expect(await res.json()).toEqual({ ip: "203.0.113.50" });
    const none = await fetch(`${server.base}/anything`);
    expect(await none.json()).toEqual({ ip: "127.0.0.1" });
  });
  it("hands on the client address canonical; a hop with a zone id makes the chain unbelievable", async () => {
    const via = async (xff: string) =>
      (await (await fetch(`${server.base}/anything`, { headers: { "x-forwarded-for": xff } })).json()) as {
        ip: string;
      };
    expect(await via("2001:0DB8:0::1, 10.1.2.3")).toEqual({ ip: "2001:db8::1" });
    expect(await via("::ffff:203.0.113.7")).toEqual({ ip: "203.0.113.7" });
    expect(await via("2001:db8::1%eth0, 10.1.2.3")).toEqual({ ip: "127.0.0.1" });
  });

  it("reads the socket address canonically, dropping a zone id (it names our own interface)", () => {
    const peer = (remoteAddress: string) => socketAddress({ socket: { remoteAddress } } as IncomingMessage);
    expect(["::ffff:127.0.0.1", "FE80::1%eth0", "2001:0db8:0::1"].map(peer)).toEqual([
      "127.0.0.1",
      "fe80::1",
      "2001:db8::1",
    ]);
  });
});
