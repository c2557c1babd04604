import { caseVariantPrefixes, foldAscii, foldSql, prefixEnd } from "./ascii-case.ts";
import { LOG_EVENT_COLUMNS, logIdFloor, toLogRecord, type TLogRecord } from "./logs.ts";
import type { TSqlRunner } from "./sql-runner.ts";

const COLUMN_LIST = LOG_EVENT_COLUMNS.map((c) => `"${c}"`).join(",");

/** The columns a log record's neighbours are matched on (each has a (column, id) index). */
export type TRelatedBy = "userId" | "userName" | "ip";

/**
 * Up to `take` other audit records with the same `by` value as `value`, made within `windowMs` either side of
 * `around` (inclusive), newest first. Ids begin with their time (newLogId), so the window is an id range and the
 * query is one range scan on the (column, id) index however many records the table holds. The record `excludeId`
 * (the one being looked at) is left out.
 */
export async function findRelatedLogs(
  q: TSqlRunner,
  opts: { by: TRelatedBy; value: string; around: Date; windowMs: number; excludeId: string; take: number },
): Promise<TLogRecord[]> {
  const from = logIdFloor(new Date(opts.around.getTime() - opts.windowMs));
  const below = logIdFloor(new Date(opts.around.getTime() + opts.windowMs + 1));
  const rows = await q.all<Record<string, unknown>>(
    `SELECT ${COLUMN_LIST} FROM "LogEvent" WHERE "${opts.by}" = ? AND "id" >= ? AND "id" < ? AND "id" <> ? ORDER BY "id" DESC LIMIT ?`,
    [opts.value, from, below, opts.excludeId, Math.max(1, Math.floor(opts.take))],
  );
  return rows.map(toLogRecord);
}

/**
 * Records of `types` since `since`, oldest first, whose `userName` is `name` in any ASCII case: what a login
 * attempt records is the name as typed, while brute-force protection counts it under the lower-cased name. No index
 * holds the folded name, but every such record starts with a case variant of the name's first characters, so one
 * range of the (userName, id) index per variant (at most 16) finds the candidates and the folded comparison decides
 * (ascii-case.ts's caseVariantPrefixes). A name that does not start with plain ASCII is matched as given.
 */
export async function findLogsByUserNameAnyCase(
  q: TSqlRunner,
  opts: { name: string; types: string[]; since: Date; take: number },
): Promise<TLogRecord[]> {
  if (opts.types.length === 0) return [];
  const params: (string | number)[] = [];
  const bind = (v: string | number) => (params.push(v), "?");
  const rest = () =>
    `"id" >= ${bind(logIdFloor(opts.since))} AND "type" IN (${opts.types.map((t) => bind(t)).join(",")})`;
  const fold = foldSql(q.kind, `"userName"`);
  const variants = caseVariantPrefixes(opts.name, 4);
  // Each range carries its own copy of every test, so each OR branch is one index range on its own.
  const where =
    variants.length === 0
      ? `("userName" = ${bind(opts.name)} AND ${rest()})`
      : variants
          .map(
            (p) =>
              `("userName" >= ${bind(p)} AND "userName" < ${bind(prefixEnd(p))} AND ${fold} = ${bind(foldAscii(opts.name))} AND ${rest()})`,
          )
          .join(" OR ");
  // SQLite's planner, without statistics, prefers the (type, id) index: a scan of every failure since `since`.
  const from = q.kind === "sqlite" ? `"LogEvent" INDEXED BY "LogEvent_userName_id_idx"` : `"LogEvent"`;
  const rows = await q.all<Record<string, unknown>>(
    `SELECT ${COLUMN_LIST} FROM ${from} WHERE ${where} ORDER BY "id" ASC LIMIT ${bind(Math.max(1, Math.floor(opts.take)))}`,
    params,
  );
  return rows.map(toLogRecord);
}
