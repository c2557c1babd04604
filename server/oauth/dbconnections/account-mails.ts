import type { TDeps } from "../../config/deps.ts";
import type { TUserRecord } from "../../store/users.ts";
import { errorMessage } from "../../platform/logger.ts";

/**
 * Queue the password-reset mail (its link's token is a secret: the outbox keeps "[redacted]"). A mail that cannot
 * be queued is logged for operators; the caller's answer does not change (it never tells whether a mail went out).
 */
export async function sendResetMail(
  deps: TDeps,
  user: TUserRecord,
  link: string,
  token: string,
): Promise<void> {
  await send(deps, {
    kind: "password_reset",
    to: user.email,
    subject: "Reset your password",
    text: [
      `Hello${user.name ? ` ${user.name}` : ""},`,
      "",
      "Someone asked to reset the password of your account. If it was you, choose a new password here:",
      link,
      "",
      "The link works once, for 5 days. If you did not ask for this, ignore this message: your password stays as it is.",
    ].join("\n"),
    secrets: [token],
    dedupeKey: `password_reset|${user.userId}`,
  });
}

/** Queue the email-verification mail sent after a signup. */
export async function sendVerificationMail(
  deps: TDeps,
  user: Pick<TUserRecord, "userId" | "email" | "name">,
  link: string,
  token: string,
): Promise<void> {
  await send(deps, {
    kind: "verify_email",
    to: user.email,
    subject: "Verify your email",
    text: [
      `Hello${user.name ? ` ${user.name}` : ""},`,
      "",
      "Please confirm that this is your email address:",
      link,
      "",
      "The link works once, for 5 days.",
    ].join("\n"),
    secrets: [token],
    dedupeKey: `verify_email|${user.userId}`,
  });
}

async function send(
  deps: TDeps,
  m: {
    kind: "password_reset" | "verify_email";
    to: string | null;
    subject: string;
    text: string;
    secrets: string[];
    dedupeKey: string;
  },
): Promise<void> {
  try {
    // The request limits decide how often; the claim only keeps two processes from sending one request twice.
    await deps.notifier.notify(
      { kind: m.kind, to: m.to, subject: m.subject, text: m.text, secrets: m.secrets },
      m.dedupeKey,
      0,
    );
  } catch (err) {
    deps.log.error({ err: errorMessage(err) }, `could not queue a ${m.kind} mail`);
  }
}
