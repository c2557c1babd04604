import { describe, expect, it } from "vitest";
import { parseUserQuery, UserQueryError } from "./parse-user-query.ts";
import type { TUserQuery } from "../../store/user-query.ts";

const email = { kind: "profile", name: "email" } as const;
const name = { kind: "profile", name: "name" } as const;
const text = (t: string) => ({ kind: "text", text: t }) as const;
const day = (d: string) => new Date(`${d}T00:00:00.000Z`);

// What an Auth0 client sends as `q` (search_engine=v3) and the query the store runs for it.
const ACCEPTED: [string, TUserQuery | null][] = [
  ["", null],
  ["   ", null],
  ['email:"jane@example.com"', { type: "match", field: email, value: text("jane@example.com") }],
  ["email:jane@example.com", { type: "match", field: email, value: text("jane@example.com") }],
  ['name:"Jane Smith"', { type: "match", field: name, value: text("Jane Smith") }],
  ["name:Jane\\ Smith", { type: "match", field: name, value: text("Jane Smith") }],
  ['name:"say \\"hi\\""', { type: "match", field: name, value: text('say "hi"') }],
  ['name:"a*b"', { type: "match", field: name, value: text("a*b") }],
  ["name:a\\*b", { type: "match", field: name, value: text("a*b") }],
  ["email:jo*", { type: "pattern", field: email, parts: ["jo", { wildcard: "*" }] }],
  ["name:j*", { type: "pattern", field: name, parts: ["j", { wildcard: "*" }] }],
  ["name:*usa", { type: "pattern", field: name, parts: [{ wildcard: "*" }, "usa"] }],
  ["name:*john*", { type: "pattern", field: name, parts: [{ wildcard: "*" }, "john", { wildcard: "*" }] }],
  ["name:jane*smith", { type: "pattern", field: name, parts: ["jane", { wildcard: "*" }, "smith"] }],
  ["name:jo?n", { type: "pattern", field: name, parts: ["jo", { wildcard: "?" }, "n"] }],
  ["email:*", { type: "exists", field: email }],
  ["_exists_:name", { type: "exists", field: name }],
  [
    "_exists_:app_metadata.plan",
    { type: "exists", field: { kind: "metadata", root: "app_metadata", path: ["plan"] } },
  ],
  [
    "email_verified:true",
    {
      type: "match",
      field: { kind: "profile", name: "email_verified" },
      value: { kind: "boolean", value: true },
    },
  ],
  [
    "logins_count:5",
    { type: "match", field: { kind: "profile", name: "logins_count" }, value: { kind: "integer", value: 5 } },
  ],
  [
    "logins_count:[10 TO *]",
    {
      type: "range",
      field: { kind: "profile", name: "logins_count" },
      lower: { value: 10, isInclusive: true },
      upper: null,
    },
  ],
  [
    "logins_count:{1 TO 5}",
    {
      type: "range",
      field: { kind: "profile", name: "logins_count" },
      lower: { value: 1, isInclusive: false },
      upper: { value: 5, isInclusive: false },
    },
  ],
  // A day as an inclusive upper bound takes in the whole day; as an exclusive lower bound it starts after it.
  [
    "created_at:[2026-01-01 TO 2026-06-30]",
    {
      type: "range",
      field: { kind: "profile", name: "created_at" },
      lower: { value: day("2026-01-01"), isInclusive: true },
      upper: { value: day("2026-07-01"), isInclusive: false },
    },
  ],
  [
    "last_login:{2026-01-01 TO 2026-02-01}",
    {
      type: "range",
      field: { kind: "profile", name: "last_login" },
      lower: { value: day("2026-01-02"), isInclusive: true },
      upper: { value: day("2026-02-01"), isInclusive: false },
    },
  ],
  [
    "created_at:[* TO 2026-01-01T12:30:00Z]",
    {
      type: "range",
      field: { kind: "profile", name: "created_at" },
      lower: null,
      upper: { value: new Date("2026-01-01T12:30:00Z"), isInclusive: true },
    },
  ],
  [
    "updated_at:2026-03-04",
    {
      type: "range",
      field: { kind: "profile", name: "updated_at" },
      lower: { value: day("2026-03-04"), isInclusive: true },
      upper: { value: day("2026-03-05"), isInclusive: false },
    },
  ],
  [
    "app_metadata.plan:gold",
    {
      type: "match",
      field: { kind: "metadata", root: "app_metadata", path: ["plan"] },
      value: { kind: "metadata", text: "gold", number: null, boolean: null },
    },
  ],
  [
    "user_metadata.prefs.theme-v2:42",
    {
      type: "match",
      field: { kind: "metadata", root: "user_metadata", path: ["prefs", "theme-v2"] },
      value: { kind: "metadata", text: "42", number: 42, boolean: null },
    },
  ],
  [
    "app_metadata.score:[1.5 TO 3]",
    {
      type: "range",
      field: { kind: "metadata", root: "app_metadata", path: ["score"] },
      lower: { value: 1.5, isInclusive: true },
      upper: { value: 3, isInclusive: true },
    },
  ],
  [
    'email:"a@x.com" OR email:"b@x.com"',
    {
      type: "or",
      clauses: [
        { type: "match", field: email, value: text("a@x.com") },
        { type: "match", field: email, value: text("b@x.com") },
      ],
    },
  ],
  // Lucene's default operator between juxtaposed clauses is OR; AND binds tighter than OR.
  [
    "email:a name:b AND name:c",
    {
      type: "or",
      clauses: [
        { type: "match", field: email, value: text("a") },
        {
          type: "and",
          clauses: [
            { type: "match", field: name, value: text("b") },
            { type: "match", field: name, value: text("c") },
          ],
        },
      ],
    },
  ],
  [
    "NOT name:a && -email:b",
    {
      type: "and",
      clauses: [
        { type: "not", clause: { type: "match", field: name, value: text("a") } },
        { type: "not", clause: { type: "match", field: email, value: text("b") } },
      ],
    },
  ],
  [
    "(name:a || name:b) AND !email:c",
    {
      type: "and",
      clauses: [
        {
          type: "or",
          clauses: [
            { type: "match", field: name, value: text("a") },
            { type: "match", field: name, value: text("b") },
          ],
        },
        { type: "not", clause: { type: "match", field: email, value: text("c") } },
      ],
    },
  ],
  [
    "name:(jane OR jo*)",
    {
      type: "or",
      clauses: [
        { type: "match", field: name, value: text("jane") },
        { type: "pattern", field: name, parts: ["jo", { wildcard: "*" }] },
      ],
    },
  ],
  [
    "user_id:auth0|65f0c0ffee",
    { type: "match", field: { kind: "profile", name: "user_id" }, value: text("auth0|65f0c0ffee") },
  ],
  ["last_ip:::1", { type: "match", field: { kind: "profile", name: "last_ip" }, value: text("::1") }],
  [
    "identities.connection:Username-Password-Authentication",
    {
      type: "match",
      field: { kind: "profile", name: "identities.connection" },
      value: text("Username-Password-Authentication"),
    },
  ],
  // Lowercase operator words are terms; `ORegon` is not OR.
  ["name:and", { type: "match", field: name, value: text("and") }],
];

describe("parseUserQuery accepts Auth0's v3 syntax", () => {
  it.each(ACCEPTED)("%s", (q, expected) => {
    expect(parseUserQuery(q)).toEqual(expected);
  });

  it("searches a bare term across the normalized profile fields, never metadata", () => {
    const q = parseUserQuery("jane");
    expect(q?.type).toBe("or");
    const fields = q?.type === "or" ? q.clauses.map((c) => (c.type === "match" ? c.field : null)) : [];
    expect(fields).toEqual(
      ["email", "name", "nickname", "given_name", "family_name", "username", "user_id"].map((n) => ({
        kind: "profile",
        name: n,
      })),
    );
    expect(parseUserQuery("ORegon")?.type).toBe("or");
  });

  it("accepts a query at the length and clause limits", () => {
    const fifty = Array.from({ length: 50 }, (_, i) => `name:n${i}`).join(" OR ");
    expect(parseUserQuery(fifty)?.type).toBe("or");
    expect(parseUserQuery(`name:"${"a".repeat(1991)}"`)).not.toBeNull();
    expect(parseUserQuery("(".repeat(10) + "name:a" + ")".repeat(10))).not.toBeNull();
  });
});

// Every refusal: a UserQueryError (400 invalid_query_string) whose message says what is wrong.
const REFUSED: [string, RegExp][] = [
  ["foo:bar", /Unknown field 'foo'/],
  ["password:x", /Unknown field 'password'/],
  ["passwordHash:x", /Unknown field 'passwordHash'/],
  ["app_metadata:x", /Unknown field 'app_metadata'/],
  ["app_metadata.:x", /Unknown field 'app_metadata.'/],
  ["app_metadata.a..b:x", /Metadata paths/],
  ["app_metadata.$where:x", /Metadata paths/],
  ["constructor:x", /Unknown field 'constructor'/],
  ["__proto__:x", /Unknown field '__proto__'/],
  ["10:30", /Unknown field '10'/],
  ["jo*:x", /Unknown field 'jo\*'/],
  ["app_metadata.a'b:x", /Metadata paths/],
  ['app_metadata.a"b:x', /Unexpected '"'/],
  ["app_metadata.a[0]:x", /Unexpected '\['/],
  ["app_metadata.a\\.b:x", /Unknown field 'app_metadata.a.b'/],
  [`app_metadata.${"a.".repeat(9)}a:x`, /Metadata paths/],
  [`app_metadata.${"a".repeat(65)}:x`, /Metadata paths/],
  ["name:*sa", /wildcard at the start of name needs at least 3/],
  ["*sa", /wildcard at the start of a term needs at least 3/],
  ["name:?a", /wildcard at the start/],
  ["*", /wildcard at the start/],
  ["user_metadata.city:Par*", /Wildcards do not work on user_metadata/],
  ["user_metadata.age:[1 TO 2]", /Ranges do not work on user_metadata/],
  ["logins_count:1*", /Wildcards work on text fields, not on logins_count/],
  ["created_at:2026*", /Wildcards work on text fields/],
  ["name:[a TO b]", /Ranges work on numbers and dates, not on name/],
  ["blocked:[0 TO 1]", /Ranges work on numbers and dates/],
  ["blocked:yes", /blocked is true or false/],
  ["logins_count:ten", /logins_count takes an integer/],
  ["logins_count:1.5", /logins_count takes an integer/],
  ["logins_count:99999999999999999999999", /logins_count takes an integer/],
  ["logins_count:[2147483648 TO *]", /logins_count takes an integer/],
  ["created_at:yesterday", /created_at takes a date/],
  ["created_at:2026-02-30", /created_at takes a date/],
  ["created_at:[2026-01-01 TO 2026-13-01]", /created_at takes a date/],
  ["created_at:99999-01-01", /created_at takes a date/],
  ["app_metadata.n:[1e999 TO *]", /takes numbers/],
  ["logins_count:[1 2]", /needs TO/],
  ["logins_count:[1 TO 2", /ends with '\]' or '\}'/],
  ["logins_count:[1 TO 2)", /ends with/],
  ["logins_count:[a* TO 2]", /cannot hold a wildcard|takes an integer/],
  ["logins_count:[ TO 2]", /bound is missing|needs TO|Expected a term/],
  ["name:", /Missing value for name/],
  ["name: jane", /Missing value for name/],
  ['name:"jane', /Missing closing '"'/],
  ["name:jane\\", /'\\' ends the query/],
  ["(name:a", /Missing '\)'/],
  ["name:a)", /Unexpected '\)'/],
  ["name:a]", /Unexpected '\]'/],
  ['name:a"b"', /Unexpected '"'/],
  ["name:a(b)", /Unexpected '\('/],
  ["AND name:a", /Unexpected AND/],
  ["name:a AND", /ends where a term was expected/],
  ["name:a OR", /ends where a term was expected/],
  ["NOT", /ends where a term was expected/],
  ["+name:a", /'\+' is not supported/],
  ["name:a^2", /Unexpected '\^'/],
  ["name:a~", /Unexpected '~'/],
  ["name:(email:a)", /A field cannot be named inside name/],
  ["_exists_:nope", /Unknown field 'nope'/],
  ['_exists_:"name"', /_exists_ takes a field name/],
  ["()", /Unexpected '\)'|term was expected/],
  ["(".repeat(11) + "name:a" + ")".repeat(11), /nests parentheses or NOT more than 10 deep/],
  ["(".repeat(5000) + "a" + ")".repeat(5000), /too long/],
  ["NOT ".repeat(11) + "name:a", /more than 10 deep/],
  [Array.from({ length: 51 }, (_, i) => `name:n${i}`).join(" OR "), /more than 50 clauses/],
  [Array.from({ length: 51 }, (_, i) => `t${i}`).join(" "), /more than 50 clauses/],
  ["a".repeat(2001), /too long: at most 2000 characters/],
  ["name:" + "x".repeat(10_000), /too long/],
  ["name:a\u0000b", /NUL character/],
  ["name:\ud800", /unpaired surrogate/],
  ["name:\udc00x", /unpaired surrogate/],
];

describe("parseUserQuery refuses what Auth0 refuses, saying why", () => {
  it.each(REFUSED)("%s", (q, message) => {
    let err: unknown;
    try {
      parseUserQuery(q);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserQueryError);
    const e = err as UserQueryError;
    expect(e.message).toMatch(message);
    expect(e.statusCode).toBe(400);
    expect(e.errorCode).toBe("invalid_query_string");
    // Never echoes a huge query back.
    expect(e.message.length).toBeLessThan(200);
  });

  it("keeps SQL metacharacters as plain values", () => {
    expect(parseUserQuery(`name:"x' OR 1=1; DROP TABLE \\"User\\"; --"`)).toEqual({
      type: "match",
      field: name,
      value: text(`x' OR 1=1; DROP TABLE "User"; --`),
    });
    expect(parseUserQuery("email:100%_off@x.com")).toEqual({
      type: "match",
      field: email,
      value: text("100%_off@x.com"),
    });
  });

  it("reads a metadata key named like a JavaScript internal as a plain JSON key", () => {
    expect(parseUserQuery("user_metadata.__proto__.x:1")).toMatchObject({
      type: "match",
      field: { kind: "metadata", root: "user_metadata", path: ["__proto__", "x"] },
    });
  });

  it("accepts a real astral character (a surrogate pair)", () => {
    expect(parseUserQuery("name:😀x")).toEqual({ type: "match", field: name, value: text("😀x") });
  });
});
