import { readDate, type TSqlRunner } from "./raw-sql.ts";

// The AccountTicket table: single-use links mailed to a user (password reset, email verification), kept by the
// SHA-256 of their token, never the token itself.

export const ACCOUNT_TICKET_COLUMNS = [
  "tokenHash",
  "kind",
  "userId",
  "formToken",
  "createdAt",
  "expiresAt",
  "usedAt",
  "markEmailVerified",
  "resultUrl",
] as const;

export type TAccountTicketKind = "reset_password" | "verify_email";

export type TAccountTicketRecord = {
  tokenHash: string;
  kind: TAccountTicketKind;
  /** The user's internal id. */
  userId: string;
  formToken: string;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  /** An admin ticket's `mark_email_as_verified`: the reset also sets email_verified. */
  markEmailVerified: boolean;
  /** An admin ticket's `result_url`: where the page sends the user after a successful reset. */
  resultUrl: string | null;
};

const SELECT = `SELECT ${ACCOUNT_TICKET_COLUMNS.map((c) => `"${c}"`).join(",")} FROM "AccountTicket"`;

function toTicket(r: Record<string, unknown>): TAccountTicketRecord {
  return {
    tokenHash: String(r.tokenHash),
    kind: String(r.kind) as TAccountTicketKind,
    userId: String(r.userId),
    formToken: String(r.formToken),
    createdAt: readDate(r.createdAt),
    expiresAt: readDate(r.expiresAt),
    usedAt: r.usedAt === null || r.usedAt === undefined ? null : readDate(r.usedAt),
    markEmailVerified: Boolean(r.markEmailVerified),
    resultUrl: typeof r.resultUrl === "string" ? r.resultUrl : null,
  };
}

/** Store a new ticket. */
export async function insertAccountTicket(
  q: TSqlRunner,
  t: Omit<TAccountTicketRecord, "usedAt" | "markEmailVerified" | "resultUrl"> &
    Partial<Pick<TAccountTicketRecord, "markEmailVerified" | "resultUrl">>,
): Promise<void> {
  await q.run(
    `INSERT INTO "AccountTicket" ("tokenHash","kind","userId","formToken","createdAt","expiresAt","markEmailVerified","resultUrl") VALUES (?,?,?,?,?,?,?,?)`,
    [
      t.tokenHash,
      t.kind,
      t.userId,
      t.formToken,
      t.createdAt,
      t.expiresAt,
      t.markEmailVerified ?? false,
      t.resultUrl ?? null,
    ],
  );
}

/** The ticket with this token hash and kind, used or not. */
export async function findAccountTicket(
  q: TSqlRunner,
  tokenHash: string,
  kind: TAccountTicketKind,
): Promise<TAccountTicketRecord | null> {
  const rows = await q.all<Record<string, unknown>>(`${SELECT} WHERE "tokenHash" = ? AND "kind" = ?`, [
    tokenHash,
    kind,
  ]);
  return rows[0] ? toTicket(rows[0]) : null;
}

/**
 * Use the ticket up if it is unused and unexpired: true for exactly one caller per ticket (one conditional UPDATE,
 * so two concurrent redemptions in any process cannot both pass).
 */
export async function consumeAccountTicket(
  q: TSqlRunner,
  tokenHash: string,
  kind: TAccountTicketKind,
  at: Date,
): Promise<boolean> {
  return (
    (await q.run(
      `UPDATE "AccountTicket" SET "usedAt" = ? WHERE "tokenHash" = ? AND "kind" = ? AND "usedAt" IS NULL AND "expiresAt" > ?`,
      [at, tokenHash, kind, at],
    )) === 1
  );
}

/** Mark every other unused ticket of this kind for the user as used (a reset ends the older reset links). */
export async function retireAccountTickets(
  q: TSqlRunner,
  userId: string,
  kind: TAccountTicketKind,
  at: Date,
): Promise<void> {
  await q.run(
    `UPDATE "AccountTicket" SET "usedAt" = ? WHERE "userId" = ? AND "kind" = ? AND "usedAt" IS NULL`,
    [at, userId, kind],
  );
}

/** Forget tickets past their expiry (used or not: an expired ticket is refused either way). */
export async function deleteExpiredAccountTickets(q: TSqlRunner, now: Date): Promise<void> {
  await q.run(`DELETE FROM "AccountTicket" WHERE "expiresAt" <= ?`, [now]);
}
