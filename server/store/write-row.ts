import { readDate, type TSqlRunner, type TSqlValue } from "./raw-sql.ts";

// Building blocks for the configuration tables' writes. Table and column names always come from the calling
// store module's code (typed keys), never from input; values are always bound.

/** Column values of a write; an `undefined` value is left out (an insert then takes the column's default). */
export type TRowValues = Record<string, TSqlValue | undefined>;

function defined(values: TRowValues): [string, TSqlValue][] {
  return Object.entries(values).filter((e): e is [string, TSqlValue] => e[1] !== undefined);
}

/** `"a","b"` for a column list. */
export function columnList(columns: readonly string[], alias?: string): string {
  const prefix = alias ? `${alias}.` : "";
  return columns.map((c) => `${prefix}"${c}"`).join(",");
}

/** Insert one row with the defined values. */
export async function insertRow(q: TSqlRunner, table: string, values: TRowValues): Promise<void> {
  const entries = defined(values);
  await q.run(
    `INSERT INTO "${table}" (${columnList(entries.map(([c]) => c))}) VALUES (${entries.map(() => "?").join(",")})`,
    entries.map(([, v]) => v),
  );
}

/** `UPDATE table SET <defined values> WHERE "key" = ?`; the number of rows changed. */
export async function updateRow(
  q: TSqlRunner,
  table: string,
  key: { column: string; value: TSqlValue },
  values: TRowValues,
): Promise<number> {
  const entries = defined(values);
  if (entries.length === 0) return 0;
  return q.run(
    `UPDATE "${table}" SET ${entries.map(([c]) => `"${c}" = ?`).join(", ")} WHERE "${key.column}" = ?`,
    [...entries.map(([, v]) => v), key.value],
  );
}

/**
 * Insert a row, or on a conflict over `conflict` set the defined values of `update` (the same statement on both
 * dialects: `INSERT … ON CONFLICT … DO UPDATE`).
 */
export async function upsertRow(
  q: TSqlRunner,
  table: string,
  conflict: readonly string[],
  insert: TRowValues,
  update: TRowValues,
): Promise<void> {
  const ins = defined(insert);
  const upd = defined(update);
  const action =
    upd.length === 0 ? "DO NOTHING" : `DO UPDATE SET ${upd.map(([c]) => `"${c}" = ?`).join(", ")}`;
  await q.run(
    `INSERT INTO "${table}" (${columnList(ins.map(([c]) => c))}) VALUES (${ins.map(() => "?").join(",")}) ON CONFLICT (${columnList(conflict)}) ${action}`,
    [...ins.map(([, v]) => v), ...upd.map(([, v]) => v)],
  );
}

/** A nullable DateTime column. */
export function readOptionalDate(v: unknown): Date | null {
  return v === null || v === undefined ? null : readDate(v);
}

/** A nullable text column. */
export function readOptionalText(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}
