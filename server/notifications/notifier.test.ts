import { createServer, type Server } from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDeps, type TTestDeps } from "../testing/test-deps.ts";
import { listNotifications } from "../store/notifications.ts";

/** A minimal loopback SMTP server that accepts every message and remembers its DATA. */
function startSmtp(): Promise<{ server: Server; port: number; messages: string[] }> {
  const messages: string[] = [];
  const server = createServer((socket) => {
    let inData = false;
    let data = "";
    let buffer = "";
    socket.write("220 localhost ESMTP test\r\n");
    socket.on("data", (chunk) => {
      buffer += chunk.toString("utf8");
      let i: number;
      while ((i = buffer.indexOf("\r\n")) >= 0) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        if (inData) {
          if (line === ".") {
            inData = false;
            messages.push(data);
            data = "";
            socket.write("250 OK queued\r\n");
          } else data += line + "\n";
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === "EHLO" || verb === "HELO") socket.write("250 localhost\r\n");
        else if (verb === "DATA") {
          inData = true;
          socket.write("354 go ahead\r\n");
        } else if (verb === "QUIT") {
          socket.write("221 bye\r\n");
          socket.end();
        } else socket.write("250 OK\r\n");
      }
    });
  });
  return new Promise((ok) =>
    server.listen(0, "127.0.0.1", () =>
      ok({ server, port: (server.address() as AddressInfo).port, messages }),
    ),
  );
}

describe("notifier", () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let deps: TTestDeps;
  beforeAll(async () => {
    smtp = await startSmtp();
    deps = await createTestDeps("sqlite", {
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      SMTP_FROM: "pc@acme.test",
    });
  });
  afterAll(async () => {
    await deps.cleanup();
    await new Promise((ok) => smtp.server.close(ok));
  });

  it("mails through SMTP when configured, records the delivery, and sends at most one per key and window", async () => {
    const msg = {
      kind: "brute_force_block" as const,
      to: "ann@example.com",
      subject: "Blocked",
      text: "Hello Ann",
    };
    expect(await deps.notifier.notify(msg, "k1", 3_600_000)).toBe(true);
    expect(await deps.notifier.notify(msg, "k1", 3_600_000)).toBe(false);
    await deps.notifier.flush();
    expect(smtp.messages).toHaveLength(1);
    expect(smtp.messages[0]).toContain("Hello Ann");
    expect(smtp.messages[0]).toMatch(/To: ann@example.com/i);
    const [row] = await listNotifications(deps.db);
    expect(row).toMatchObject({ transport: "smtp", status: "sent", recipient: "ann@example.com" });
    deps.clock.advance(3_600_001);
    expect(await deps.notifier.notify(msg, "k1", 3_600_000)).toBe(true);
    await deps.notifier.flush();
    expect(smtp.messages).toHaveLength(2);
  });

  it("keeps a message without recipient in the log instead of mailing it", async () => {
    const sent = smtp.messages.length;
    // Newest first: move the clock so this message sorts after the ones above.
    deps.clock.advance(1000);
    await deps.notifier.notify({ kind: "ip_throttle_block", to: null, subject: "IP", text: "x" }, "k2", 1000);
    await deps.notifier.flush();
    expect(smtp.messages).toHaveLength(sent);
    const [row] = await listNotifications(deps.db);
    expect(row).toMatchObject({ status: "no_recipient", subject: "IP" });
  });

  it("mails a message's secrets to the recipient only: the stored row has them redacted", async () => {
    deps.clock.advance(1000);
    const secret = "eyJrIjoiYSJ9.c2lnbmF0dXJlLXNlY3JldA";
    const text = `Unblock your account:\nhttps://portcullis.test/unblock/${secret}\n`;
    const msg = { kind: "brute_force_block" as const, to: "bob@example.com", subject: "Blocked", text };
    expect(await deps.notifier.notify({ ...msg, secrets: [secret] }, "k3", 1000)).toBe(true);
    await deps.notifier.flush();
    expect(smtp.messages.at(-1)).toContain(secret);
    const [row] = await listNotifications(deps.db);
    expect(row).toMatchObject({ recipient: "bob@example.com", status: "sent" });
    expect(row?.text).toBe("Unblock your account:\nhttps://portcullis.test/unblock/[redacted]\n");
  });
});
