import { describe, expect, it } from "vitest";
import { testDatabaseKinds } from "../testing/test-deps.ts";
import { useSeededDeps } from "../testing/use-deps.ts";
import { createFixtureUser } from "../testing/fixtures.ts";
import { callToken, realmParams } from "../testing/token-calls.ts";
import { adminOf, lastAdminChange } from "../testing/admin-actors.ts";
import { CLIENT_IP_HEADER } from "../oauth/core/request.ts";
import { findUserByUserId } from "../store/users.ts";
import {
  showResetPasswordPage,
  submitResetPasswordPage,
} from "../oauth/dbconnections/reset-password-page.ts";
import { createPasswordChangeTicket } from "./create-password-change-ticket.ts";
import { AdminError } from "./admin-error.ts";

const owner = adminOf("owner");

describe.each(testDatabaseKinds())("admin: password-change ticket (%s)", (kind) => {
  const t = useSeededDeps(kind);

  const newUser = (emailVerified = false) =>
    createFixtureUser(t.deps, t.fx, {
      connection: "database",
      password: "old-password-ticket-1",
      profile: { emailVerified },
    });
  const login = (email: string, password: string) =>
    callToken(t.deps, {
      params: realmParams(t.fx.clients.web, { email, password }, t.fx.connections.database.name),
    });
  const tokenOf = (link: string) => new URL(link).searchParams.get("ticket")!;
  const open = (link: string) => showResetPasswordPage(new Request(link), t.deps);
  /** Fill in the page's form as a browser would: GET the link, POST its hidden fields with the new password. */
  async function useLink(link: string, password: string): Promise<Response> {
    const html = await (await open(link)).text();
    const formToken = /name="form_token" value="([^"]*)"/.exec(html)?.[1] ?? "";
    return submitResetPasswordPage(
      new Request("https://portcullis.test/reset-password", {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          origin: "https://portcullis.test",
          [CLIENT_IP_HEADER]: "198.51.100.90",
        },
        body: new URLSearchParams({
          ticket: tokenOf(link),
          form_token: formToken,
          password,
          password_confirm: password,
        }),
      }),
      t.deps,
    );
  }

  it("answers { ticket } with a reset link that works once; the audit never holds the token", async () => {
    const user = await newUser();
    const { ticket } = await createPasswordChangeTicket(t.deps, owner, user.userId, {});
    expect(ticket).toMatch(/^https:\/\/portcullis\.test\/reset-password\?ticket=[A-Za-z0-9_-]{40,}$/);
    expect((await open(ticket)).status).toBe(200);

    const done = await useLink(ticket, "help-desk-new-pass-1");
    expect(done.status).toBe(200);
    expect(await done.text()).toContain("Password changed");
    expect((await login(user.email, "help-desk-new-pass-1")).status).toBe(200);
    expect((await login(user.email, "old-password-ticket-1")).status).toBe(403);

    // Single use: the page and a replayed form both refuse it.
    expect((await open(ticket)).status).toBe(400);
    expect((await useLink(ticket, "help-desk-new-pass-2")).status).toBe(400);
    expect((await login(user.email, "help-desk-new-pass-1")).status).toBe(200);

    const change = await lastAdminChange(t.deps, "create password change ticket");
    expect(change).toMatchObject({ details: { target: user.userId, actor: { id: owner.id } } });
    const logs = JSON.stringify(await t.deps.db.all(`SELECT * FROM "LogEvent"`));
    expect(logs).not.toContain(tokenOf(ticket));
    const tickets = JSON.stringify(await t.deps.db.all(`SELECT * FROM "AccountTicket"`));
    expect(tickets).not.toContain(tokenOf(ticket));
  });

  it("ttl_sec shortens the link's life; over 5 days or negative is a 400", async () => {
    const user = await newUser();
    const { ticket } = await createPasswordChangeTicket(t.deps, owner, user.userId, { ttl_sec: 60 });
    expect((await open(ticket)).status).toBe(200);
    t.deps.clock.advance(61_000);
    expect((await open(ticket)).status).toBe(400);
    expect((await useLink(ticket, "too-late-password-1")).status).toBe(400);

    for (const ttl_sec of [5 * 24 * 3600 + 1, -1, 1.5, "60"]) {
      const err = await createPasswordChangeTicket(t.deps, owner, user.userId, { ttl_sec }).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(AdminError);
      expect((err as AdminError).status).toBe(400);
      expect((err as AdminError).fields).toHaveProperty("ttl_sec");
    }
  });

  it("mark_email_as_verified verifies the email on a successful reset only; result_url receives the user", async () => {
    const user = await newUser(false);
    const { ticket } = await createPasswordChangeTicket(t.deps, owner, user.userId, {
      mark_email_as_verified: true,
      result_url: "https://app.example/after-reset?from=desk",
    });
    expect((await findUserByUserId(t.deps.db, user.userId))?.emailVerified).toBe(false);
    const res = await useLink(ticket, "verified-by-desk-1");
    expect(res.status).toBe(303);
    const to = new URL(res.headers.get("location")!);
    expect(to.origin + to.pathname).toBe("https://app.example/after-reset");
    expect(to.searchParams.get("from")).toBe("desk");
    expect(to.searchParams.get("success")).toBe("true");
    expect((await findUserByUserId(t.deps.db, user.userId))?.emailVerified).toBe(true);

    // Without the option, the reset leaves email_verified alone.
    const other = await newUser(false);
    const plain = await createPasswordChangeTicket(t.deps, owner, other.userId, {});
    expect((await useLink(plain.ticket, "not-verified-by-desk-1")).status).toBe(200);
    expect((await findUserByUserId(t.deps.db, other.userId))?.emailVerified).toBe(false);
  });

  it("a reset through a newer link retires the older ones (mailed or admin)", async () => {
    const user = await newUser();
    const older = await createPasswordChangeTicket(t.deps, owner, user.userId, {});
    const newer = await createPasswordChangeTicket(t.deps, owner, user.userId, {});
    expect((await open(older.ticket)).status).toBe(200);
    expect((await useLink(newer.ticket, "newer-link-wins-1")).status).toBe(200);
    expect((await open(older.ticket)).status).toBe(400);
  });

  it("refuses bad input in the Auth0 shape, an unknown user with 404, and writes no ticket", async () => {
    const user = await newUser();
    const count = async () =>
      (await t.deps.db.all(`SELECT "tokenHash" FROM "AccountTicket" WHERE "userId" = ?`, [user.id])).length;
    const bad: unknown[] = [
      { result_url: "javascript:alert(1)" },
      { result_url: "https://user:pass@app.example/" },
      { result_url: "/relative" },
      { includeEmailInRedirect: true },
      { user_id: "auth0|someone-else" },
      { email: user.email, connection_id: "con_x" },
      { mark_email_as_verified: "yes" },
      [],
      null,
    ];
    for (const body of bad) {
      const err = await createPasswordChangeTicket(t.deps, owner, user.userId, body).catch(
        (e: unknown) => e,
      );
      expect(err, JSON.stringify(body)).toBeInstanceOf(AdminError);
      expect((err as AdminError).status).toBe(400);
    }
    expect(await count()).toBe(0);
    const missing = await createPasswordChangeTicket(t.deps, owner, "auth0|nobody-here", {}).catch(
      (e: unknown) => e,
    );
    expect(missing).toMatchObject({ status: 404, code: "inexistent_user" });
    const matching = await createPasswordChangeTicket(t.deps, owner, user.userId, {
      user_id: user.userId,
      includeEmailInRedirect: false,
    });
    expect(matching.ticket).toContain("/reset-password?ticket=");
  });
});
