import { caseVariantPrefixes, foldAscii, foldSql, isRangePrefix, prefixEnd } from "./ascii-case.ts";
import type { TSqlRunner, TSqlValue } from "./raw-sql.ts";
import { toUser, USER_SELECT, type TUserRecord } from "./users.ts";
import {
  USER_QUERY_FIELDS,
  type TMatchValue,
  type TPatternPart,
  type TRangeBound,
  type TUserProfileField,
  type TUserQuery,
  type TUserQueryField,
} from "./user-query.ts";

// The user search behind `GET /api/v2/users` (Auth0 search_engine=v3), over the typed query of user-query.ts. SQL is built from that tree only: every value is a bound parameter, every column comes from
// the fixed map below, and a metadata path is made of METADATA_SEGMENT pieces only.

/** Fields `sort` may name (Auth0's `sort=field:1|-1`). */
export const USER_SORT_FIELDS = [
  "user_id",
  "email",
  "email_verified",
  "username",
  "name",
  "nickname",
  "given_name",
  "family_name",
  "phone_number",
  "blocked",
  "logins_count",
  "created_at",
  "updated_at",
  "last_login",
  "last_ip",
] as const satisfies readonly TUserProfileField[];
export type TUserSortField = (typeof USER_SORT_FIELDS)[number];

/** Most users per page (Auth0's per_page maximum). */
export const MAX_PER_PAGE = 100;
/** Search results reachable by paging (Auth0: "limits the total number of users you can retrieve to 1000"). */
export const MAX_SEARCH_RESULTS = 1000;

/**
 * Paging outside Auth0's limits: per_page over 100, or a page starting at or past the 1000th result. The
 * Management API answers 400 `{statusCode: 400, error: "Bad Request", message, errorCode: "invalid_paging"}`.
 */
export class UserSearchPagingError extends Error {
  readonly statusCode = 400;
  readonly errorCode = "invalid_paging";
  constructor(message: string) {
    super(message);
    this.name = "UserSearchPagingError";
  }
}

export type TUserSearchOptions = {
  query: TUserQuery | null;
  sort?: { field: TUserSortField; direction: 1 | -1 };
  /** Zero-based. */
  page: number;
  perPage: number;
  includeTotals: boolean;
  /** Only users of this connection (internal `Connection.id`). */
  connectionId?: string;
};

export type TUserSearchResult = {
  users: (TUserRecord & { connectionName: string })[];
  /** Every match, when `includeTotals` (not capped at 1000). */
  total?: number;
};

// Profile fields as SQL; `identities.user_id` (the part of user_id after the provider) differs by dialect.
const COLUMN: Record<Exclude<TUserProfileField, "identities.user_id">, string> = {
  user_id: `"User"."userId"`,
  email: `"User"."email"`,
  "email.domain": `"User"."email"`,
  email_verified: `"User"."emailVerified"`,
  username: `"User"."username"`,
  name: `"User"."name"`,
  nickname: `"User"."nickname"`,
  given_name: `"User"."givenName"`,
  family_name: `"User"."familyName"`,
  phone_number: `"User"."phoneNumber"`,
  phone_verified: `"User"."phoneVerified"`,
  blocked: `"User"."blocked"`,
  logins_count: `"User"."loginsCount"`,
  created_at: `"User"."createdAt"`,
  updated_at: `"User"."updatedAt"`,
  last_login: `"User"."lastLogin"`,
  last_ip: `"User"."lastIp"`,
  "identities.connection": `"Connection"."name"`,
  "identities.provider": `"Connection"."strategy"`,
};

// Case folding is ascii-case.ts's. Emails are stored lower-cased already (JavaScript's toLowerCase), so they are
// compared as stored, which keeps their index usable.

class SqlBuilder {
  readonly params: TSqlValue[] = [];
  isConnectionNeeded = false;
  /** PostgreSQL: the metadata documents the query reads, each parsed once per row by metadataLateral(). */
  private readonly metadataRoots = new Set<"app_metadata" | "user_metadata">();
  constructor(private readonly kind: TSqlRunner["kind"]) {}

  bind(v: TSqlValue): string {
    this.params.push(v);
    return "?";
  }

  column(name: TUserProfileField): string {
    if (name === "identities.connection" || name === "identities.provider") this.isConnectionNeeded = true;
    if (name === "identities.user_id")
      return this.kind === "sqlite"
        ? `substr("User"."userId", instr("User"."userId", '|') + 1)`
        : `substr("User"."userId", strpos("User"."userId", '|') + 1)`;
    return COLUMN[name];
  }

  fold(expr: string): string {
    return foldSql(this.kind, expr);
  }

  where(q: TUserQuery): string {
    switch (q.type) {
      case "and":
      case "or":
        return `(${q.clauses.map((c) => this.where(c)).join(q.type === "and" ? " AND " : " OR ")})`;
      // A clause on a missing value is unknown (NULL) in SQL but false in Lucene, so NOT must see false.
      case "not":
        return `(NOT COALESCE(${this.where(q.clause)}, FALSE))`;
      case "match":
        return q.field.kind === "metadata"
          ? this.metadataMatch(q.field, q.value)
          : this.profileMatch(q.field.name, q.value);
      case "pattern":
        return q.field.kind === "metadata"
          ? this.metadataPattern(q.field, q.parts)
          : this.profilePattern(q.field.name, q.parts);
      case "range":
        return this.range(q.field, q.lower, q.upper);
      case "exists":
        return q.field.kind === "metadata"
          ? this.kind === "sqlite"
            ? `(COALESCE(json_type(${this.metadataJson(q.field)}, ${this.bind(sqlitePath(q.field.path))}), 'null') <> 'null')`
            : `(jsonb_typeof(${this.metadataValue(q.field)}) <> 'null')`
          : `(${this.column(q.field.name)} IS NOT NULL)`;
    }
  }

  private profileMatch(name: TUserProfileField, v: TMatchValue): string {
    const col = this.column(name);
    if (v.kind === "boolean" || v.kind === "integer") return `(${col} = ${this.bind(v.value)})`;
    const text = v.kind === "text" ? v.text : v.text;
    if (name === "email") return `(${col} = ${this.bind(text.toLowerCase())})`;
    if (name === "email.domain")
      return `(${col} LIKE ${this.bind(`%@${likeLiteral(text.toLowerCase())}`)} ESCAPE '\\')`;
    if (USER_QUERY_FIELDS[name] === "folded")
      return this.caseRanges(col, text, () => `${this.fold(col)} = ${this.bind(foldAscii(text))}`);
    return `(${col} = ${this.bind(text)})`;
  }

  private profilePattern(name: TUserProfileField, parts: TPatternPart[]): string {
    const col = this.column(name);
    if (name === "email" || name === "email.domain") {
      const lowered = parts.map((p) => (typeof p === "string" ? p.toLowerCase() : p));
      const like = `${name === "email.domain" ? "%@" : ""}${likePattern(lowered)}`;
      return `(${col} LIKE ${this.bind(like)} ESCAPE '\\'${name === "email" ? this.prefixRange(col, lowered) : ""})`;
    }
    if (USER_QUERY_FIELDS[name] === "folded") {
      const folded = parts.map((p) => (typeof p === "string" ? foldAscii(p) : p));
      const prefix = typeof parts[0] === "string" ? parts[0] : "";
      return this.caseRanges(
        col,
        prefix,
        () => `${this.fold(col)} LIKE ${this.bind(likePattern(folded))} ESCAPE '\\'`,
      );
    }
    // Case-sensitive text: SQLite's LIKE ignores ASCII case, its GLOB does not.
    const cmp =
      this.kind === "sqlite"
        ? `${col} GLOB ${this.bind(globPattern(parts))}`
        : `${col} LIKE ${this.bind(likePattern(parts))} ESCAPE '\\'`;
    return `(${cmp}${col.startsWith('"') ? this.prefixRange(col, parts) : ""})`;
  }

  // `col >= 'jo' AND col < 'jp'` beside `LIKE 'jo%'` lets a plain index on the column answer a prefix search on
  // both databases. Only for an ASCII prefix ending in a-y or 0-8: the successor of its last character is then a
  // letter or digit too, so the range holds every match under byte order and under linguistic collations alike
  // (which may skip punctuation); the LIKE still decides.
  private prefixRange(col: string, parts: TPatternPart[]): string {
    const prefix = typeof parts[0] === "string" ? parts[0] : "";
    if (!isRangePrefix(prefix)) return "";
    return ` AND ${col} >= ${this.bind(prefix)} AND ${col} < ${this.bind(prefixEnd(prefix))}`;
  }

  // A case-insensitive match cannot use a plain index on the column (and expression indexes are out: Prisma's
  // schema cannot declare them). But every value that folds to `text` starts with one of the case variants of
  // its first few characters, so one index range per variant (at most 8) finds the candidates, and the folded
  // comparison decides. The same reasoning as prefixRange makes each range hold every match under any collation.
  // Each range carries its own copy of the test (`(range AND test) OR …`, not `(range OR …) AND test`): SQLite
  // uses indexes for an OR only when every branch is indexable on its own, so a bare term's OR over seven
  // fields can still be counted through the indexes.
  private caseRanges(col: string, text: string, test: () => string): string {
    const variants = caseVariantPrefixes(text, 3);
    if (variants.length === 0) return `(${test()})`;
    const ranges = variants.map(
      (p) => `(${col} >= ${this.bind(p)} AND ${col} < ${this.bind(prefixEnd(p))} AND ${test()})`,
    );
    return `(${ranges.join(" OR ")})`;
  }

  private range(field: TUserQueryField, lower: TRangeBound | null, upper: TRangeBound | null): string {
    // Built anew at each use: an expression with bound parameters must bind them once per occurrence.
    const expr = (): string => {
      if (field.kind === "profile") return this.column(field.name);
      if (this.kind === "postgres")
        return `(CASE WHEN jsonb_typeof(${this.metadataValue(field)}) = 'number' THEN (${this.metadataValue(field)})::numeric END)`;
      const at = () => `${this.metadataJson(field)}, ${this.bind(sqlitePath(field.path))}`;
      return `(CASE WHEN json_type(${at()}) IN ('integer', 'real') THEN json_extract(${at()}) END)`;
    };
    const conds: string[] = [];
    if (lower) conds.push(`${expr()} ${lower.isInclusive ? ">=" : ">"} ${this.bind(lower.value)}`);
    if (upper) conds.push(`${expr()} ${upper.isInclusive ? "<=" : "<"} ${this.bind(upper.value)}`);
    if (conds.length === 0) conds.push(`${expr()} IS NOT NULL`);
    return `(${conds.join(" AND ")})`;
  }

  // The metadata document as SQLite JSON: a row whose text is not JSON reads as `{}` instead of failing the query.
  private metadataJson(f: Extract<TUserQueryField, { kind: "metadata" }>): string {
    const col = f.root === "app_metadata" ? `"User"."appMetadata"` : `"User"."userMetadata"`;
    return `(CASE WHEN json_valid(${col}) THEN ${col} ELSE '{}' END)`;
  }

  // PostgreSQL: the value at the path as jsonb, read from the document metadataLateral() parsed; each segment a
  // bound parameter.
  private metadataValue(f: Extract<TUserQueryField, { kind: "metadata" }>): string {
    this.metadataRoots.add(f.root);
    const doc = f.root === "app_metadata" ? `"md"."app"` : `"md"."user"`;
    return `jsonb_extract_path(${doc}, ${f.path.map((s) => `${this.bind(s)}::text`).join(", ")})`;
  }

  /**
   * PostgreSQL: the join that parses the metadata documents the query reads, once per row (empty when it reads
   * none; it binds no parameters). A `::jsonb` cast would fail the whole query on one stored document that is not
   * JSON (hand-edited) or that jsonb cannot hold (a `\u0000` or lone-surrogate escape, which JSON.stringify
   * writes); portcullis_try_jsonb (migration 20261206104936_metadata_try_jsonb) reads such a document as NULL, so
   * it matches no metadata clause, as SQLite's json_valid guard (metadataJson) does. PostgreSQL 15 has no
   * non-throwing check, so that function catches the cast's error, at the price of a subtransaction per call:
   * `OFFSET 0` keeps the planner from inlining the subquery into every reference (a range reads the value four
   * times), and filters on "User" alone (the connection, the metadata LIKE prefilter) still run before it.
   */
  metadataLateral(): string {
    if (this.metadataRoots.size === 0) return "";
    const cols = [...this.metadataRoots].map((r) =>
      r === "app_metadata"
        ? `portcullis_try_jsonb("User"."appMetadata") AS "app"`
        : `portcullis_try_jsonb("User"."userMetadata") AS "user"`,
    );
    return `CROSS JOIN LATERAL (SELECT ${cols.join(", ")} OFFSET 0) AS "md"`;
  }

  private metadataMatch(f: Extract<TUserQueryField, { kind: "metadata" }>, v: TMatchValue): string {
    if (v.kind !== "metadata") throw new Error("metadata clauses carry metadata values");
    const col = f.root === "app_metadata" ? `"User"."appMetadata"` : `"User"."userMetadata"`;
    const alts: string[] = [];
    // The raw document must contain the text: a cheap LIKE that skips parsing the JSON of most rows. Only for
    // characters JSON.stringify (every writer's serializer) writes as themselves.
    const prefilter =
      /^[A-Za-z0-9 _.@+-]+$/.test(v.text) && v.number === null && v.boolean === null
        ? `${col} LIKE ${this.bind(`%${likeLiteral(v.text)}%`)} ESCAPE '\\' AND `
        : "";
    if (this.kind === "sqlite") {
      const at = () => `${this.metadataJson(f)}, ${this.bind(sqlitePath(f.path))}`;
      alts.push(`(json_type(${at()}) = 'text' AND json_extract(${at()}) = ${this.bind(v.text)})`);
      if (v.number !== null)
        alts.push(
          `(json_type(${at()}) IN ('integer', 'real') AND json_extract(${at()}) = ${this.bind(v.number)})`,
        );
      if (v.boolean !== null) alts.push(`(json_type(${at()}) = '${v.boolean ? "true" : "false"}')`);
    } else {
      alts.push(`${this.metadataValue(f)} = to_jsonb(${this.bind(v.text)}::text)`);
      if (v.number !== null)
        alts.push(`${this.metadataValue(f)} = to_jsonb(${this.bind(v.number)}::numeric)`);
      if (v.boolean !== null)
        alts.push(`${this.metadataValue(f)} = '${v.boolean ? "true" : "false"}'::jsonb`);
    }
    return `(${prefilter}(${alts.join(" OR ")}))`;
  }

  private metadataPattern(f: Extract<TUserQueryField, { kind: "metadata" }>, parts: TPatternPart[]): string {
    if (this.kind === "sqlite") {
      const at = () => `${this.metadataJson(f)}, ${this.bind(sqlitePath(f.path))}`;
      return `(json_type(${at()}) = 'text' AND json_extract(${at()}) GLOB ${this.bind(globPattern(parts))})`;
    }
    return `(jsonb_typeof(${this.metadataValue(f)}) = 'string' AND (${this.metadataValue(f)} #>> '{}') LIKE ${this.bind(likePattern(parts))} ESCAPE '\\')`;
  }
}

// SQLite JSON path: each segment quoted (segments hold only letters, digits, `_` and `-`, so no quoting escapes).
function sqlitePath(path: string[]): string {
  return "$" + path.map((s) => `."${s}"`).join("");
}

/** `text` as a LIKE pattern matching itself (escape character `\`). */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function likePattern(parts: TPatternPart[]): string {
  return parts.map((p) => (typeof p === "string" ? likeLiteral(p) : p.wildcard === "*" ? "%" : "_")).join("");
}

function globPattern(parts: TPatternPart[]): string {
  return parts
    .map((p) => (typeof p === "string" ? p.replace(/[*?[]/g, (c) => `[${c}]`) : p.wildcard))
    .join("");
}

const SORT_COLUMN: Record<TUserSortField, string> = {
  user_id: `"User"."userId"`,
  email: `"User"."email"`,
  email_verified: `"User"."emailVerified"`,
  username: `"User"."username"`,
  name: `"User"."name"`,
  nickname: `"User"."nickname"`,
  given_name: `"User"."givenName"`,
  family_name: `"User"."familyName"`,
  phone_number: `"User"."phoneNumber"`,
  blocked: `"User"."blocked"`,
  logins_count: `"User"."loginsCount"`,
  created_at: `"User"."createdAt"`,
  updated_at: `"User"."updatedAt"`,
  last_login: `"User"."lastLogin"`,
  last_ip: `"User"."lastIp"`,
};
const NOT_NULL_SORT = new Set<TUserSortField>([
  "user_id",
  "created_at",
  "updated_at",
  "logins_count",
  "blocked",
  "email_verified",
]);

/**
 * Search users with a parsed Auth0 query, one page at a time: newest first unless `sort` says otherwise (ties by
 * user_id in the same direction, users without the sorted value last), with the total when asked. Throws
 * `UserSearchPagingError` past Auth0's paging limits (per_page ≤ 100, only the first 1000 results reachable).
 */
export async function searchUsersByQuery(
  q: TSqlRunner,
  opts: TUserSearchOptions,
): Promise<TUserSearchResult> {
  const { page, perPage } = opts;
  if (!Number.isSafeInteger(page) || page < 0)
    throw new UserSearchPagingError("page must be a non-negative integer.");
  if (!Number.isSafeInteger(perPage) || perPage < 0 || perPage > MAX_PER_PAGE)
    throw new UserSearchPagingError(`per_page must be an integer from 0 to ${MAX_PER_PAGE}.`);
  const start = page * perPage;
  if (start >= MAX_SEARCH_RESULTS && perPage > 0)
    throw new UserSearchPagingError(
      `You can only page through the first ${MAX_SEARCH_RESULTS} records. See https://auth0.com/docs/users/search/v3/view-search-results-by-page#limitation`,
    );
  const take = Math.min(perPage, MAX_SEARCH_RESULTS - start);

  const b = new SqlBuilder(q.kind);
  const where: string[] = [];
  if (opts.connectionId) where.push(`"User"."connectionId" = ${b.bind(opts.connectionId)}`);
  if (opts.query) where.push(b.where(opts.query));
  const whereSql = where.length > 0 ? `WHERE ${where.join(" AND ")}` : "";
  const dir = (opts.sort?.direction ?? -1) === 1 ? "ASC" : "DESC";
  const field = opts.sort?.field ?? "created_at";
  const order =
    field === "user_id"
      ? `"User"."userId" ${dir}`
      : `${SORT_COLUMN[field]} ${dir}${NOT_NULL_SORT.has(field) ? "" : " NULLS LAST"}, "User"."userId" ${dir}`;

  const users =
    take === 0
      ? []
      : (
          await q.all<Record<string, unknown>>(
            `SELECT ${USER_SELECT}, "Connection"."name" AS "connectionName" FROM "User"
             JOIN "Connection" ON "Connection"."id" = "User"."connectionId" ${b.metadataLateral()}
             ${whereSql} ORDER BY ${order} LIMIT ? OFFSET ?`,
            [...b.params, take, start],
          )
        ).map((r) => ({ ...toUser(r), connectionName: String(r.connectionName) }));
  if (!opts.includeTotals) return { users };
  // The count joins Connection only when the query reads it: every user has a connection (a foreign key).
  const join = b.isConnectionNeeded ? `JOIN "Connection" ON "Connection"."id" = "User"."connectionId"` : "";
  const rows = await q.all<{ n: number | string }>(
    `SELECT COUNT(*) AS "n" FROM "User" ${join} ${b.metadataLateral()} ${whereSql}`,
    b.params,
  );
  return { users, total: Number(rows[0]?.n ?? 0) };
}
