import type { TDeps } from "../../config/deps.ts";
import { listNotifications as listRows } from "../../store/protection.ts";

/** The notification log / outbox, newest first: what was mailed, or what would have been without SMTP. */
export async function listNotifications(
  deps: TDeps,
  query: { take?: number; kind?: string } = {},
): Promise<{ notifications: Record<string, unknown>[] }> {
  const rows = await listRows(deps.sql, query);
  return {
    notifications: rows.map((n) => ({
      id: n.id,
      created_at: n.createdAt.toISOString(),
      kind: n.kind,
      to: n.recipient,
      subject: n.subject,
      text: n.text,
      transport: n.transport,
      status: n.status,
      ...(n.error ? { error: n.error } : {}),
      ...(n.sentAt ? { sent_at: n.sentAt.toISOString() } : {}),
    })),
  };
}
