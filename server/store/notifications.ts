import { randomBytes } from "node:crypto";
import { readDate, type TSqlRunner, type TSqlValue } from "./raw-sql.ts";

// The Notification table: every notification produced (sent through SMTP when configured, else the outbox).

export const NOTIFICATION_COLUMNS = [
  "id",
  "createdAt",
  "kind",
  "recipient",
  "subject",
  "text",
  "transport",
  "status",
  "error",
  "sentAt",
] as const;

export type TNotificationRecord = {
  id: string;
  createdAt: Date;
  kind: string;
  recipient: string | null;
  subject: string;
  text: string;
  transport: "outbox" | "smtp";
  status: "outbox" | "pending" | "sent" | "failed" | "no_recipient";
  error: string | null;
  sentAt: Date | null;
};

/** Insert a notification row; returns its id. */
export async function insertNotification(
  q: TSqlRunner,
  n: Omit<TNotificationRecord, "id" | "error" | "sentAt">,
): Promise<string> {
  const id = `ntf_${n.createdAt.getTime().toString(36)}${randomBytes(8).toString("hex")}`;
  await q.run(
    `INSERT INTO "Notification" ("id","createdAt","kind","recipient","subject","text","transport","status") VALUES (?,?,?,?,?,?,?,?)`,
    [id, n.createdAt, n.kind, n.recipient, n.subject, n.text, n.transport, n.status],
  );
  return id;
}

/** Record the outcome of an SMTP delivery. */
export async function updateNotificationStatus(
  q: TSqlRunner,
  id: string,
  status: "sent" | "failed",
  at: Date,
  error: string | null,
): Promise<void> {
  await q.run(`UPDATE "Notification" SET "status" = ?, "sentAt" = ?, "error" = ? WHERE "id" = ?`, [
    status,
    status === "sent" ? at : null,
    error,
    id,
  ]);
}

/** Newest notifications first. */
export async function listNotifications(
  q: TSqlRunner,
  opts: { take?: number; kind?: string } = {},
): Promise<TNotificationRecord[]> {
  const params: TSqlValue[] = [];
  let where = "";
  if (opts.kind !== undefined) {
    where = `WHERE "kind" = ?`;
    params.push(opts.kind);
  }
  params.push(Math.min(Math.max(opts.take ?? 50, 1), 1000));
  const rows = await q.all<Record<string, unknown>>(
    `SELECT ${NOTIFICATION_COLUMNS.map((c) => `"${c}"`).join(",")} FROM "Notification" ${where} ORDER BY "createdAt" DESC, "id" DESC LIMIT ?`,
    params,
  );
  return rows.map((r) => ({
    id: String(r.id),
    createdAt: readDate(r.createdAt),
    kind: String(r.kind),
    recipient: r.recipient === null ? null : String(r.recipient),
    subject: String(r.subject),
    text: String(r.text),
    transport: String(r.transport) as TNotificationRecord["transport"],
    status: String(r.status) as TNotificationRecord["status"],
    error: r.error === null ? null : String(r.error),
    sentAt: r.sentAt === null ? null : readDate(r.sentAt),
  }));
}
