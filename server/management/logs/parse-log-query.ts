import {
  LOG_QUERY_FIELDS,
  type TLogQuery,
  type TLogQueryField,
  type TLogRangeBound,
} from "../../store/management-logs.ts";

// Auth0's log search `q` (a Lucene subset, auth0.com/docs/deploy-monitor/logs/log-search-query-syntax) parsed into
// the typed tree the store compiles to SQL. Values only ever become bound parameters and field names come from a
// fixed list, so nothing a caller types reaches the SQL text.

/** Longest `q` we parse: Auth0 answers longer query strings with 414; we refuse them with a 400 naming `q`. */
export const LOG_QUERY_MAX_LENGTH = 2048;
/** Deepest parenthesis / NOT nesting we follow (the parser recurses; this bounds its stack). */
export const LOG_QUERY_MAX_DEPTH = 16;
/** Most terms in one query (each becomes a SQL condition). */
export const LOG_QUERY_MAX_TERMS = 64;

/** A `q` Auth0 would refuse: HTTP 400 with Auth0's `errorCode` and message. */
export class LogQueryError extends Error {
  readonly statusCode = 400;
  readonly error = "Bad Request";
  readonly errorCode = "invalid_query_string";
  constructor(detail: string) {
    // Auth0's wording for a bad log query ("The search query string has an error: unknown field \"user_email\"").
    super(`The search query string has an error: ${detail}`);
    this.name = "LogQueryError";
  }
}

type TToken =
  | { kind: "word"; text: string; quoted: false; pos: number }
  | { kind: "word"; text: string; quoted: true; pos: number }
  | { kind: "(" | ")" | "[" | "]" | "{" | "}" | ":" | "-"; pos: number }
  | { kind: "end"; pos: number };

const SPECIAL = new Set(["(", ")", "[", "]", "{", "}", ":"]);

function tokenize(q: string): TToken[] {
  const out: TToken[] = [];
  let i = 0;
  // Inside a range or right after `field:`, a colon belongs to the value (2026-01-01T10:00:00Z).
  let inRange = false;
  while (i < q.length) {
    const c = q[i]!;
    const isValue = inRange || out[out.length - 1]?.kind === ":";
    if (c === "[" || c === "{") inRange = true;
    if (c === "]" || c === "}") inRange = false;
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      i++;
    } else if (SPECIAL.has(c)) {
      out.push({ kind: c as "(", pos: i });
      i++;
    } else if (c === "-" && (out.length === 0 || isSeparatorBefore(q, i))) {
      out.push({ kind: "-", pos: i });
      i++;
    } else if (c === '"') {
      let text = "";
      let j = i + 1;
      for (; j < q.length && q[j] !== '"'; j++) {
        if (q[j] === "\\" && j + 1 < q.length) j++;
        text += q[j];
      }
      if (j >= q.length) throw new LogQueryError(`unterminated quoted phrase at position ${i}`);
      out.push({ kind: "word", text, quoted: true, pos: i });
      i = j + 1;
    } else {
      let text = "";
      let j = i;
      for (; j < q.length; j++) {
        const d = q[j]!;
        if (d === " " || d === "\t" || d === "\n" || d === "\r" || d === '"') break;
        if (SPECIAL.has(d) && !(isValue && d === ":")) break;
        if (d === "\\" && j + 1 < q.length) {
          j++;
          text += q[j];
          continue;
        }
        text += d;
      }
      out.push({ kind: "word", text, quoted: false, pos: i });
      i = j;
    }
  }
  out.push({ kind: "end", pos: q.length });
  return out;
}

/** `-` negates only at the start of a term (after a space or a parenthesis), never inside `a-b`. */
function isSeparatorBefore(q: string, i: number): boolean {
  const p = q[i - 1];
  return p === " " || p === "(" || p === "\t" || p === "\n" || p === "\r";
}

class Parser {
  private at = 0;
  private terms = 0;
  constructor(private readonly tokens: TToken[]) {}

  private peek(): TToken {
    return this.tokens[this.at]!;
  }
  private next(): TToken {
    return this.tokens[this.at++]!;
  }
  private isOperator(t: TToken, op: "AND" | "OR" | "NOT"): boolean {
    return t.kind === "word" && !t.quoted && t.text === op;
  }

  parseQuery(): TLogQuery {
    const q = this.parseOr(0);
    const t = this.peek();
    if (t.kind !== "end") throw new LogQueryError(`unexpected "${describe(t)}" at position ${t.pos}`);
    return q;
  }

  private parseOr(depth: number): TLogQuery {
    const items = [this.parseAnd(depth)];
    while (this.isOperator(this.peek(), "OR")) {
      this.next();
      items.push(this.parseAnd(depth));
    }
    return items.length === 1 ? items[0]! : { kind: "or", items };
  }

  // Juxtaposed terms are ANDed, like Auth0's search engine with its default operator (a narrower answer is the
  // safe reading of `type:f user_id:x`).
  private parseAnd(depth: number): TLogQuery {
    const items = [this.parseNot(depth)];
    for (;;) {
      const t = this.peek();
      if (this.isOperator(t, "AND")) {
        this.next();
        items.push(this.parseNot(depth));
      } else if (t.kind === "word" || t.kind === "(" || t.kind === "-") {
        if (this.isOperator(t, "OR")) break;
        items.push(this.parseNot(depth));
      } else break;
    }
    return items.length === 1 ? items[0]! : { kind: "and", items };
  }

  private parseNot(depth: number): TLogQuery {
    if (depth > LOG_QUERY_MAX_DEPTH)
      throw new LogQueryError(`nesting deeper than ${LOG_QUERY_MAX_DEPTH} levels`);
    const t = this.peek();
    if (this.isOperator(t, "NOT") || t.kind === "-") {
      this.next();
      return { kind: "not", item: this.parseNot(depth + 1) };
    }
    return this.parsePrimary(depth);
  }

  private parsePrimary(depth: number): TLogQuery {
    const t = this.next();
    if (t.kind === "(") {
      const inner = this.parseOr(depth + 1);
      const close = this.next();
      if (close.kind !== ")") throw new LogQueryError(`missing ")" for "(" at position ${t.pos}`);
      return inner;
    }
    if (t.kind !== "word" || this.isOperator(t, "AND") || this.isOperator(t, "OR"))
      throw new LogQueryError(`unexpected "${describe(t)}" at position ${t.pos}`);
    if (++this.terms > LOG_QUERY_MAX_TERMS) throw new LogQueryError(`more than ${LOG_QUERY_MAX_TERMS} terms`);
    if (this.peek().kind !== ":") return valueTerm(null, t);
    if (t.quoted) throw new LogQueryError(`a field name cannot be quoted (position ${t.pos})`);
    this.next();
    const field = fieldNamed(t.text);
    const v = this.next();
    if (v.kind === "[" || v.kind === "{") return this.parseRange(field, v);
    if (v.kind !== "word") throw new LogQueryError(`missing value for field "${field}" at position ${v.pos}`);
    return valueTerm(field, v);
  }

  private parseRange(field: TLogQueryField, open: TToken): TLogQuery {
    const lo = this.next();
    const to = this.next();
    const hi = this.next();
    const close = this.next();
    if (lo.kind !== "word" || hi.kind !== "word" || !(to.kind === "word" && !to.quoted && to.text === "TO"))
      throw new LogQueryError(`a range is written [from TO to] (position ${open.pos})`);
    if (close.kind !== "]" && close.kind !== "}")
      throw new LogQueryError(`unterminated range at position ${open.pos}`);
    const bound = (w: typeof lo, inclusive: boolean): TLogRangeBound | null =>
      w.kind === "word" && !w.quoted && w.text === "*"
        ? null
        : { value: checkValue(w.text, w.pos), inclusive };
    const lower = bound(lo, open.kind === "[");
    const upper = bound(hi, close.kind === "]");
    if (field === "date") return dateRange(lower, upper);
    return { kind: "range", field, lower, upper };
  }
}

function describe(t: TToken): string {
  return t.kind === "word" ? t.text.slice(0, 40) : t.kind === "end" ? "end of query" : t.kind;
}

function fieldNamed(name: string): TLogQueryField {
  if ((LOG_QUERY_FIELDS as readonly string[]).includes(name)) return name as TLogQueryField;
  throw new LogQueryError(`unknown field "${name.slice(0, 64)}"`);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Values may not carry NUL (PostgreSQL text refuses it) or half a UTF-16 pair (it cannot be encoded). */
function checkValue(text: string, pos: number): string {
  if (text.includes("\u0000")) throw new LogQueryError(`NUL character in value at position ${pos}`);
  if (LONE_SURROGATE.test(text)) throw new LogQueryError(`malformed Unicode in value at position ${pos}`);
  return text;
}

function valueTerm(field: TLogQueryField | null, w: Extract<TToken, { kind: "word" }>): TLogQuery {
  const raw = checkValue(w.text, w.pos);
  if (raw === "") throw new LogQueryError(`empty value at position ${w.pos}`);
  if (field === "date") {
    if (!w.quoted && raw.includes("*"))
      throw new LogQueryError(`wildcards are not supported on date; use a range`);
    // `date:2026-01-05` is that whole UTC day; a full timestamp is that millisecond.
    return dateRange({ value: raw, inclusive: true }, { value: raw, inclusive: true });
  }
  // Quoted phrases are exact; wildcards inside them are literal characters.
  if (w.quoted) return { kind: "term", field, value: raw, match: "exact" };
  const star = raw.indexOf("*");
  const question = raw.indexOf("?");
  if (star === 0 || question === 0)
    throw new LogQueryError(`leading wildcards are not supported ("${short(raw)}")`);
  if (question > 0) throw new LogQueryError(`single-character wildcards are not supported ("${short(raw)}")`);
  if (star > 0 && star !== raw.length - 1)
    throw new LogQueryError(`only a trailing wildcard is supported ("${short(raw)}")`);
  if (star > 0) return { kind: "term", field, value: raw.slice(0, -1), match: "prefix" };
  return { kind: "term", field, value: raw, match: "exact" };
}

const DAY_MS = 86_400_000;

/**
 * A date range as a half-open millisecond interval. A YYYY-MM-DD bound stands for its whole UTC day, as in
 * Elasticsearch's date rounding: `[2026-01-01 TO 2026-01-31]` includes all of January 31st, `{… TO 2026-01-31}`
 * stops before it; an exclusive lower day starts at the next day.
 */
function dateRange(lower: TLogRangeBound | null, upper: TLogRangeBound | null): TLogQuery {
  const edge = (b: TLogRangeBound, isUpper: boolean): number => {
    const ms = parseLogDate(b.value);
    if (Number.isNaN(ms))
      throw new LogQueryError(`"${short(b.value)}" is not a date (YYYY-MM-DD or ISO 8601)`);
    const step = DATE_ONLY.test(b.value) ? DAY_MS : 1;
    return isUpper === b.inclusive ? ms + step : ms;
  };
  return {
    kind: "date",
    fromMs: lower ? edge(lower, false) : null,
    beforeMs: upper ? edge(upper, true) : null,
  };
}

function short(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Milliseconds of a `date` query value (a UTC day's start for YYYY-MM-DD), NaN when it is not a date. */
export function parseLogDate(value: string): number {
  if (DATE_ONLY.test(value)) return Date.parse(`${value}T00:00:00Z`);
  if (DATE_TIME.test(value)) return Date.parse(value);
  return NaN;
}

/**
 * Parse Auth0's log search `q` into a typed query; an empty or blank `q` means "everything" (null). Throws
 * `LogQueryError` (400, `invalid_query_string`) for bad syntax, unknown fields, leading or inner wildcards, NUL,
 * malformed Unicode, nesting deeper than LOG_QUERY_MAX_DEPTH and queries over LOG_QUERY_MAX_LENGTH characters.
 */
export function parseLogQuery(q: string | undefined | null): TLogQuery | null {
  if (q === undefined || q === null || q.trim() === "") return null;
  if (q.length > LOG_QUERY_MAX_LENGTH)
    throw new LogQueryError(`the query is longer than ${LOG_QUERY_MAX_LENGTH} characters`);
  return new Parser(tokenize(q)).parseQuery();
}
