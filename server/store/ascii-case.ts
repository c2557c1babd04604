import type { TSqlRunner } from "./sql-runner.ts";

// Case-insensitive lookups on plain indexes, shared by the user search and the log lookups.
//
// Case folding is ASCII-only on both databases, so both answer alike: SQLite's LOWER folds only ASCII, and
// PostgreSQL's lower() would fold more, by locale.

const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** `s` with ASCII capitals lower-cased (what foldSql does in SQL). */
export const foldAscii = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

/** SQL that folds `expr` as foldAscii does, on this runner's database. */
export function foldSql(kind: TSqlRunner["kind"], expr: string): string {
  return kind === "sqlite" ? `LOWER(${expr})` : `translate(${expr}, '${UPPER}', '${UPPER.toLowerCase()}')`;
}

/**
 * Whether an index range [prefix, successor) holds every value starting with `prefix`: an ASCII prefix ending in a-y
 * or 0-8, whose last character's successor is a letter or digit too, so the range is right under byte order and
 * under linguistic collations alike (which may skip punctuation).
 */
export const isRangePrefix = (prefix: string) => /^[\x20-\x7e]*[a-yA-Y0-8]$/.test(prefix);

/** The end of the index range of values starting with `prefix` (its last character's successor). */
export const prefixEnd = (prefix: string) =>
  prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);

/**
 * The case variants of the longest prefix of `text`, at most `max` characters, that isRangePrefix accepts (empty
 * when none does). Every value that folds to foldAscii(text) starts with one of them, so one index range per
 * variant finds the candidates of a case-insensitive match, and the folded comparison decides.
 */
export function caseVariantPrefixes(text: string, max: number): string[] {
  let k = Math.min(max, text.length);
  while (k > 0 && !isRangePrefix(text.slice(0, k))) k--;
  if (k === 0) return [];
  let variants = [""];
  for (const c of text.slice(0, k)) {
    const lower = c.toLowerCase();
    const upper = c.toUpperCase();
    variants = variants.flatMap((v) => (lower === upper ? [v + c] : [v + upper, v + lower]));
  }
  return variants;
}
