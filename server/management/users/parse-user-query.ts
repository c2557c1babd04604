import {
  BARE_TERM_FIELDS,
  METADATA_SEGMENT,
  USER_QUERY_FIELDS,
  type TMatchValue,
  type TPatternPart,
  type TRangeBound,
  type TUserProfileField,
  type TUserQuery,
  type TUserQueryField,
} from "../../store/user-query.ts";

// Auth0's user search syntax (search_engine=v3): a subset of Lucene's query string, parsed by recursive descent
// into the typed query the store runs. Values never reach SQL text: the store binds every one of them, and field
// names resolve only through USER_QUERY_FIELDS or a metadata path of METADATA_SEGMENT pieces.
//
//   query    := or EOF
//   or       := and (("OR" | "||")? and)*        juxtaposed clauses are OR'ed (Lucene's default operator)
//   and      := not (("AND" | "&&") not)*
//   not      := ("NOT" | "!") not | "-" primary | primary
//   primary  := "(" or ")" | field ":" value | "_exists_:" field | term
//   value    := "(" or ")" (terms default to the field) | range | term
//   range    := ("[" | "{") bound "TO" bound ("]" | "}")       bound: a term or "*"
//   term     := word (with \-escapes, `*` and `?` wildcards) | "phrase" (exact, wildcards literal)

export type { TUserQuery } from "../../store/user-query.ts";

/** Longest query accepted, in characters (Auth0 documents none; its URLs cap what a client can send anyway). */
export const MAX_QUERY_LENGTH = 2000;
/** Most field clauses in one query (a bare term counts once). */
export const MAX_QUERY_CLAUSES = 50;
/** Deepest nesting of parentheses and NOTs. */
export const MAX_QUERY_DEPTH = 10;

/**
 * A query the search cannot run; the Management API answers 400 with Auth0's body
 * `{statusCode: 400, error: "Bad Request", message, errorCode: "invalid_query_string"}`.
 */
export class UserQueryError extends Error {
  readonly statusCode = 400;
  readonly errorCode = "invalid_query_string";
  constructor(message: string) {
    super(message);
    this.name = "UserQueryError";
  }
}

// Characters that end a bare word (Lucene's syntax characters that may not appear unescaped inside one).
const WORD_END = new Set([" ", "\t", "\n", "\r", "(", ")", "[", "]", "{", "}", '"', "^", "~"]);
const DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:\d{2})?)?$/;
const NUMBER = /^-?\d{1,15}(?:\.\d{1,15})?$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const INT32_MAX = 2_147_483_647;
const DAY = 86_400_000;

type TWord = { parts: TPatternPart[]; isPhrase: boolean; raw: string; isEscaped: boolean };

/**
 * Parse an Auth0 user search query (`q` with `search_engine=v3`) into a typed query, or throw `UserQueryError`
 * naming what is wrong. An empty or blank query yields null (list every user).
 */
export function parseUserQuery(text: string): TUserQuery | null {
  if (text.length > MAX_QUERY_LENGTH)
    throw new UserQueryError(`The query is too long: at most ${MAX_QUERY_LENGTH} characters.`);
  // PostgreSQL text cannot hold NUL, and a lone surrogate cannot be encoded: refuse both rather than fail later.
  if (text.includes("\0")) throw new UserQueryError("The query contains a NUL character.");
  if (LONE_SURROGATE.test(text))
    throw new UserQueryError("The query contains an unpaired surrogate character.");
  if (text.trim() === "") return null;
  return new Parser(text).parseQuery();
}

class Parser {
  private pos = 0;
  private clauses = 0;
  private depth = 0;
  constructor(private readonly src: string) {}

  parseQuery(): TUserQuery {
    const q = this.parseOr(null);
    this.skipSpace();
    if (this.pos < this.src.length) this.fail(`Unexpected '${this.src[this.pos]}'`);
    return q;
  }

  private fail(message: string): never {
    throw new UserQueryError(`${message} at position ${this.pos + 1} of the query.`);
  }

  private skipSpace(): void {
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos]!)) this.pos++;
  }

  // An operator keyword at the cursor, followed by a space, `(` or a quote (so `ORegon` is a term).
  private peekKeyword(...words: string[]): string | null {
    this.skipSpace();
    for (const w of words) {
      if (!this.src.startsWith(w, this.pos)) continue;
      const next = this.src[this.pos + w.length];
      const isSymbol = !/^[A-Z]+$/.test(w);
      if (isSymbol || next === undefined || /[\s("-]/.test(next)) return w;
    }
    return null;
  }

  private startsClause(): boolean {
    this.skipSpace();
    const c = this.src[this.pos];
    return c !== undefined && c !== ")" && this.peekKeyword("OR", "||", "AND", "&&") === null;
  }

  private parseOr(defaultField: TUserQueryField | null): TUserQuery {
    const clauses = [this.parseAnd(defaultField)];
    for (;;) {
      const op = this.peekKeyword("OR", "||");
      if (op) this.pos += op.length;
      else if (!this.startsClause()) break;
      clauses.push(this.parseAnd(defaultField));
    }
    return clauses.length === 1 ? clauses[0]! : { type: "or", clauses };
  }

  private parseAnd(defaultField: TUserQueryField | null): TUserQuery {
    const clauses = [this.parseNot(defaultField)];
    for (let op = this.peekKeyword("AND", "&&"); op; op = this.peekKeyword("AND", "&&")) {
      this.pos += op.length;
      clauses.push(this.parseNot(defaultField));
    }
    return clauses.length === 1 ? clauses[0]! : { type: "and", clauses };
  }

  private parseNot(defaultField: TUserQueryField | null): TUserQuery {
    const op = this.peekKeyword("NOT", "!", "-");
    if (!op) return this.parsePrimary(defaultField);
    this.pos += op.length;
    this.enter();
    const clause = op === "-" ? this.parsePrimary(defaultField) : this.parseNot(defaultField);
    this.depth--;
    return { type: "not", clause };
  }

  private enter(): void {
    if (++this.depth > MAX_QUERY_DEPTH)
      this.fail(`The query nests parentheses or NOT more than ${MAX_QUERY_DEPTH} deep`);
  }

  private parseGroup(defaultField: TUserQueryField | null): TUserQuery {
    this.pos++; // "("
    this.enter();
    const q = this.parseOr(defaultField);
    this.skipSpace();
    if (this.src[this.pos] !== ")") this.fail("Missing ')'");
    this.pos++;
    this.depth--;
    return q;
  }

  private parsePrimary(defaultField: TUserQueryField | null): TUserQuery {
    this.skipSpace();
    const c = this.src[this.pos];
    if (c === undefined) this.fail("The query ends where a term was expected");
    if (c === "(") return this.endClause(this.parseGroup(defaultField));
    if (c === "+") this.fail("'+' is not supported (use AND)");
    if (c === ")" || c === "]" || c === "}" || c === "[" || c === "{" || c === "^" || c === "~")
      this.fail(`Unexpected '${c}'`);
    const word = this.readTerm("clause");
    if (!word.isPhrase && !word.isEscaped && /^(AND|OR|NOT)$/.test(word.raw))
      this.fail(`Unexpected ${word.raw}`);
    if (!word.isPhrase && this.src[this.pos] === ":") {
      this.pos++;
      // Field names are plain: an escape or a wildcard in one names no field.
      if (word.isEscaped || word.parts.length > 1) this.fail(`Unknown field '${word.raw.slice(0, 64)}'`);
      if (word.raw === "_exists_") return this.endClause(this.parseExists());
      if (defaultField) this.fail(`A field cannot be named inside ${fieldName(defaultField)}:( … )`);
      const field = resolveField(word.raw, (m) => this.fail(m));
      return this.endClause(this.parseValue(field));
    }
    return this.endClause(this.bareTerm(word, defaultField));
  }

  // After a clause comes a space, `)` or the end: `name:a"b"`, `x(y)` and `a]` are mistakes, not two clauses.
  private endClause(q: TUserQuery): TUserQuery {
    const c = this.src[this.pos];
    if (c !== undefined && c !== ")" && !/\s/.test(c)) this.fail(`Unexpected '${c}'`);
    return q;
  }

  private count(): void {
    if (++this.clauses > MAX_QUERY_CLAUSES) this.fail(`The query has more than ${MAX_QUERY_CLAUSES} clauses`);
  }

  private parseExists(): TUserQuery {
    const word = this.readTerm("value");
    if (word.isPhrase || word.isEscaped || word.parts.some((p) => typeof p !== "string"))
      this.fail("_exists_ takes a field name");
    this.count();
    return { type: "exists", field: resolveField(word.raw, (m) => this.fail(m)) };
  }

  private parseValue(field: TUserQueryField): TUserQuery {
    const c = this.src[this.pos];
    if (c === "(") return this.parseGroup(field);
    if (c === "[" || c === "{") return this.parseRange(field);
    if (c === undefined || /\s/.test(c) || c === ")") this.fail(`Missing value for ${fieldName(field)}`);
    return this.fieldTerm(field, this.readTerm("value"));
  }

  private bareTerm(word: TWord, defaultField: TUserQueryField | null): TUserQuery {
    if (defaultField) return this.fieldTerm(defaultField, word);
    this.count();
    this.checkPattern(word, "a term");
    const clauses = BARE_TERM_FIELDS.map((name) => this.termFor({ kind: "profile", name }, word, true));
    return { type: "or", clauses };
  }

  private fieldTerm(field: TUserQueryField, word: TWord): TUserQuery {
    this.count();
    return this.termFor(field, word, false);
  }

  private checkPattern(word: TWord, what: string): void {
    const first = word.parts[0];
    if (first === undefined || typeof first === "string") return;
    // Auth0: a leading wildcard (suffix match) needs at least 3 literal characters (`name:*usa`, not `name:*sa`).
    const literal = word.parts.reduce((n, p) => n + (typeof p === "string" ? p.length : 0), 0);
    if (literal < 3) this.fail(`A wildcard at the start of ${what} needs at least 3 other characters`);
  }

  private termFor(field: TUserQueryField, word: TWord, isBare: boolean): TUserQuery {
    const isPattern = word.parts.some((p) => typeof p !== "string");
    const text = word.parts.join("");
    if (isPattern) {
      if (word.parts.length === 1 && typeof word.parts[0] !== "string" && word.parts[0]!.wildcard === "*")
        return { type: "exists", field };
      const kind = field.kind === "profile" ? USER_QUERY_FIELDS[field.name] : "metadata";
      if (kind !== "text" && kind !== "folded" && kind !== "metadata")
        this.fail(`Wildcards work on text fields, not on ${fieldName(field)}`);
      if (field.kind === "metadata" && field.root === "user_metadata")
        this.fail("Wildcards do not work on user_metadata fields");
      if (!isBare) this.checkPattern(word, fieldName(field));
      return { type: "pattern", field, parts: word.parts };
    }
    if (field.kind === "metadata") return { type: "match", field, value: metadataValue(text) };
    const kind = USER_QUERY_FIELDS[field.name];
    if (kind === "text" || kind === "folded") return { type: "match", field, value: { kind: "text", text } };
    if (kind === "boolean") {
      if (text !== "true" && text !== "false") this.fail(`${field.name} is true or false`);
      return { type: "match", field, value: { kind: "boolean", value: text === "true" } };
    }
    if (kind === "integer")
      return { type: "match", field, value: { kind: "integer", value: this.int(field, text) } };
    // A date matches the instant it names, or the whole day when it names only a day (Elasticsearch's rounding).
    const d = this.date(field, text);
    return {
      type: "range",
      field,
      lower: { value: d.at, isInclusive: true },
      upper: { value: d.isDay ? new Date(d.at.getTime() + DAY) : d.at, isInclusive: !d.isDay },
    };
  }

  private int(field: TUserQueryField, text: string): number {
    const n = /^-?\d{1,10}$/.test(text) ? Number(text) : NaN;
    if (!Number.isInteger(n) || Math.abs(n) > INT32_MAX)
      this.fail(`${fieldName(field)} takes an integer between -${INT32_MAX} and ${INT32_MAX}`);
    return n;
  }

  private date(field: TUserQueryField, text: string): { at: Date; isDay: boolean } {
    const m = DATE.exec(text);
    const at = m ? new Date(m[8] || !m[4] ? text : `${text}Z`) : null;
    // Rejects 2026-02-30 too: the parsed date must print back as the same calendar day.
    if (!m || !at || Number.isNaN(at.getTime()) || (!m[4] && at.toISOString().slice(0, 10) !== text))
      this.fail(`${fieldName(field)} takes a date (YYYY-MM-DD or an ISO 8601 time)`);
    return { at, isDay: !m[4] };
  }

  private parseRange(field: TUserQueryField): TUserQuery {
    const isLowerInclusive = this.src[this.pos++] === "[";
    this.count();
    const lowerWord = this.readBound();
    if (this.peekKeyword("TO") !== "TO") this.fail("A range needs TO between its bounds");
    this.pos += 2;
    const upperWord = this.readBound();
    this.skipSpace();
    const close = this.src[this.pos];
    if (close !== "]" && close !== "}") this.fail("A range ends with ']' or '}'");
    this.pos++;
    const isUpperInclusive = close === "]";
    const kind = field.kind === "profile" ? USER_QUERY_FIELDS[field.name] : "metadata";
    if (field.kind === "metadata" && field.root === "user_metadata")
      this.fail("Ranges do not work on user_metadata fields");
    if (kind !== "integer" && kind !== "date" && kind !== "metadata")
      this.fail(`Ranges work on numbers and dates, not on ${fieldName(field)}`);
    const bound = (w: string | null, isInclusive: boolean, isUpper: boolean): TRangeBound | null => {
      if (w === null) return null;
      if (kind === "integer") return { value: this.int(field, w), isInclusive };
      if (kind === "metadata") {
        if (!NUMBER.test(w)) this.fail(`A range on ${fieldName(field)} takes numbers`);
        return { value: Number(w), isInclusive };
      }
      // A day as an upper bound ends with the day ([… TO 2026-06-30] includes June 30), as a lower bound it
      // starts with it ({2026-06-30 TO …} starts after it).
      const d = this.date(field, w);
      if (!d.isDay) return { value: d.at, isInclusive };
      const isWholeDay = isUpper === isInclusive;
      return { value: new Date(d.at.getTime() + (isWholeDay ? DAY : 0)), isInclusive: !isUpper };
    };
    return {
      type: "range",
      field,
      lower: bound(lowerWord, isLowerInclusive, false),
      upper: bound(upperWord, isUpperInclusive, true),
    };
  }

  private readBound(): string | null {
    this.skipSpace();
    const w = this.readTerm("bound");
    if (!w.isPhrase && w.raw === "*") return null;
    if (w.parts.some((p) => typeof p !== "string")) this.fail("A range bound cannot hold a wildcard");
    if (w.raw === "") this.fail("A range bound is missing");
    return w.parts.join("");
  }

  // A quoted phrase or a bare word at the cursor. At the start of a clause an unescaped `:` ends the word (a field
  // name); in a value it is a character (`last_ip:::1`); inside a range `]` and `}` end the word too.
  private readTerm(mode: "clause" | "value" | "bound"): TWord {
    const src = this.src;
    if (src[this.pos] === '"') {
      let text = "";
      for (this.pos++; src[this.pos] !== '"'; this.pos++) {
        let c = src[this.pos];
        if (c === "\\") c = src[++this.pos];
        if (c === undefined) this.fail("Missing closing '\"'");
        text += c;
      }
      this.pos++;
      return { parts: [text], isPhrase: true, raw: text, isEscaped: false };
    }
    const parts: TPatternPart[] = [];
    let literal = "";
    let raw = "";
    let isEscaped = false;
    for (; this.pos < src.length; this.pos++) {
      const c = src[this.pos]!;
      if (WORD_END.has(c) || (mode === "bound" && (c === "]" || c === "}"))) break;
      if (c === ":" && mode === "clause" && raw !== "") break;
      if (c === "\\") {
        const next = src[++this.pos];
        if (next === undefined) this.fail("A '\\' ends the query");
        literal += next;
        raw += next;
        isEscaped = true;
      } else if (c === "*" || c === "?") {
        if (literal) parts.push(literal);
        literal = "";
        parts.push({ wildcard: c });
        raw += c;
      } else {
        literal += c;
        raw += c;
      }
    }
    if (literal || parts.length === 0) parts.push(literal);
    if (raw === "") this.fail("Expected a term");
    return { parts, isPhrase: false, raw, isEscaped };
  }
}

function fieldName(f: TUserQueryField): string {
  return f.kind === "profile" ? f.name : `${f.root}.${f.path.join(".")}`;
}

function resolveField(name: string, fail: (m: string) => never): TUserQueryField {
  if (Object.hasOwn(USER_QUERY_FIELDS, name)) return { kind: "profile", name: name as TUserProfileField };
  const m = /^(app_metadata|user_metadata)\.(.+)$/.exec(name);
  if (m) {
    const path = m[2]!.split(".");
    if (path.length > 8 || !path.every((s) => METADATA_SEGMENT.test(s)))
      fail(`Metadata paths are up to 8 names of letters, digits, '_' and '-', separated by '.'`);
    return { kind: "metadata", root: m[1] as "app_metadata" | "user_metadata", path };
  }
  return fail(`Unknown field '${name.slice(0, 64)}'`);
}

function metadataValue(text: string): TMatchValue {
  return {
    kind: "metadata",
    text,
    number: NUMBER.test(text) ? Number(text) : null,
    boolean: text === "true" ? true : text === "false" ? false : null,
  };
}
