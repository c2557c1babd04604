import type { TEnv } from "../platform/env.ts";
import type { TClock } from "../platform/clock.ts";
import type { TRawSql } from "../store/raw-sql.ts";
import { getProcessLogger, type TLogger } from "../platform/logger.ts";
import { claimNotification } from "../store/notification-claims.ts";
import { insertNotification, updateNotificationStatus } from "../store/notifications.ts";

export type TNotificationKind =
  | "brute_force_block"
  | "ip_throttle_block"
  | "breached_password_user"
  | "breached_password_admin"
  | "password_reset"
  | "verify_email";

export type TMessage = {
  kind: TNotificationKind;
  /** Null when there is nobody to write to (a user without email, no PORTCULLIS_ADMIN_EMAIL). */
  to: string | null;
  subject: string;
  /** The text the recipient gets. */
  text: string;
  /**
   * Parts of `text` only the recipient may see (an unblock link's token): the Notification row — the outbox that
   * admins, viewers included, can list — keeps "[redacted]" in their place. Only the mail carries them.
   */
  secrets?: readonly string[];
};

/** `text` with each secret replaced by "[redacted]". */
function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const s of secrets) if (s) out = out.split(s).join("[redacted]");
  return out;
}

/**
 * Attack-protection messages. Every message is recorded in the Notification table (its secrets redacted); with
 * SMTP_URL it is also mailed (after the login's response is decided — delivery never delays or fails a login) and
 * the row records the outcome, otherwise the row is the outbox a fresh install reads to see what would have been
 * sent.
 */
export interface TNotifier {
  /**
   * Send `message` unless one with the same `dedupeKey` went out less than `windowMs` ago (the claim is atomic,
   * so several server processes send at most one). Returns whether it was sent.
   */
  notify(message: TMessage, dedupeKey: string, windowMs: number): Promise<boolean>;
  /** Wait for deliveries in flight (shutdown, tests). */
  flush(): Promise<void>;
}

export type TMailTransport = {
  sendMail(m: { from: string; to: string; subject: string; text: string }): Promise<unknown>;
};

/** Build the notifier: SMTP through nodemailer when SMTP_URL is set, the outbox otherwise. */
export async function createNotifier(
  env: Pick<TEnv, "SMTP_URL" | "SMTP_FROM">,
  sql: TRawSql,
  clock: TClock,
  log?: TLogger,
): Promise<TNotifier> {
  let transport: TMailTransport | null = null;
  if (env.SMTP_URL) {
    const { default: nodemailer } = await import("nodemailer");
    transport = nodemailer.createTransport(env.SMTP_URL);
  }
  const inFlight = new Set<Promise<void>>();

  async function deliver(id: string, m: TMessage & { to: string }): Promise<void> {
    try {
      await transport!.sendMail({ from: env.SMTP_FROM, to: m.to, subject: m.subject, text: m.text });
      await updateNotificationStatus(sql, id, "sent", clock.now(), null);
    } catch (err) {
      const reason = redactSecrets(err instanceof Error ? err.message : String(err), m.secrets);
      (log ?? getProcessLogger()).error({ notification: id, err: reason }, "could not mail notification");
      await updateNotificationStatus(sql, id, "failed", clock.now(), reason.slice(0, 500)).catch(
        () => undefined,
      );
    }
  }

  return {
    async notify(message, dedupeKey, windowMs) {
      const now = clock.now();
      const status = message.to === null ? "no_recipient" : transport ? "pending" : "outbox";
      const id = await sql.transaction(async (q) => {
        if (!(await claimNotification(q, dedupeKey, now, new Date(now.getTime() - windowMs)))) return null;
        return insertNotification(q, {
          createdAt: now,
          kind: message.kind,
          recipient: message.to,
          subject: message.subject,
          text: redactSecrets(message.text, message.secrets),
          transport: transport ? "smtp" : "outbox",
          status,
        });
      });
      if (id === null) return false;
      if (status === "pending" && message.to !== null) {
        const p = deliver(id, { ...message, to: message.to }).finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
      return true;
    },
    async flush() {
      await Promise.all([...inFlight]);
    },
  };
}
