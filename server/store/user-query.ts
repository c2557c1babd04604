// The typed form of an Auth0 user search query (`GET /api/v2/users?q=…&search_engine=v3`). It lives in the store
// because the store may not import the management layer, where the parser
// (server/management/users/parse-user-query.ts) builds it from the Lucene text; user-search.ts turns it into SQL.

/** Profile fields a query may name, by their Auth0 names, and how each one matches. */
export const USER_QUERY_FIELDS = {
  user_id: "text",
  email: "folded",
  "email.domain": "folded",
  email_verified: "boolean",
  username: "text",
  name: "folded",
  nickname: "folded",
  given_name: "folded",
  family_name: "folded",
  phone_number: "text",
  phone_verified: "boolean",
  blocked: "boolean",
  logins_count: "integer",
  created_at: "date",
  updated_at: "date",
  last_login: "date",
  last_ip: "text",
  "identities.connection": "text",
  "identities.user_id": "text",
  "identities.provider": "text",
} as const;

/**
 * `text`: exact, case-sensitive; `folded`: case-insensitive (Auth0's "normalized" fields: email, name, given_name,
 * family_name, nickname); `boolean`, `integer`, `date`: typed values and ranges.
 */
export type TUserQueryFieldKind = (typeof USER_QUERY_FIELDS)[keyof typeof USER_QUERY_FIELDS];
export type TUserProfileField = keyof typeof USER_QUERY_FIELDS;

/** The fields a bare term (no `field:`) searches: the normalized profile fields, never metadata (Auth0's rule). */
export const BARE_TERM_FIELDS = [
  "email",
  "name",
  "nickname",
  "given_name",
  "family_name",
  "username",
  "user_id",
] as const satisfies readonly TUserProfileField[];

/**
 * A field a clause names: a profile field, or a path inside `app_metadata` / `user_metadata` whose segments match
 * `METADATA_SEGMENT` (so a path never carries quotes, dots, brackets or `$` into a JSON path expression).
 */
export type TUserQueryField =
  | { kind: "profile"; name: TUserProfileField }
  | { kind: "metadata"; root: "app_metadata" | "user_metadata"; path: string[] };

/** One metadata path segment: letters, digits, `_` and `-`, at most 64 characters. */
export const METADATA_SEGMENT = /^[A-Za-z0-9_-]{1,64}$/;

/** A piece of a wildcard pattern: literal text, `*` (any run of characters) or `?` (exactly one character). */
export type TPatternPart = string | { wildcard: "*" | "?" };

/** A value to match exactly; metadata values match a JSON string equal to `text`, or the number or boolean it spells. */
export type TMatchValue =
  | { kind: "text"; text: string }
  | { kind: "boolean"; value: boolean }
  | { kind: "integer"; value: number }
  | { kind: "metadata"; text: string; number: number | null; boolean: boolean | null };

/** One end of a range: a number (logins_count, metadata) or an instant (dates); null bound = open (`*`). */
export type TRangeBound = { value: number | Date; isInclusive: boolean };

/** A parsed user search query. */
export type TUserQuery =
  | { type: "and"; clauses: TUserQuery[] }
  | { type: "or"; clauses: TUserQuery[] }
  | { type: "not"; clause: TUserQuery }
  | { type: "match"; field: TUserQueryField; value: TMatchValue }
  | { type: "pattern"; field: TUserQueryField; parts: TPatternPart[] }
  | { type: "range"; field: TUserQueryField; lower: TRangeBound | null; upper: TRangeBound | null }
  | { type: "exists"; field: TUserQueryField };
