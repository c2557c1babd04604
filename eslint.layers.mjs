// The layers of the house, enforced by eslint-plugin-boundaries (eslint.config.mjs). An import may only point
// down this list (to the left in `platform ← store ← domain ← admin / tenant ← app, cli`, the architecture's
// layer line); import-x/no-cycle forbids cycles between modules on top. Tests (`*.test.ts`) and server/testing/ may import
// anything and are not checked. eslint.layers.test.ts proves the rule fails on a violation.
//
//  entry          app/ (never the store), cli/, bench/ (also the test fixtures), scripts/, e2e/: start things,
//                 call down.
//  config         server/config/: the composition root (deps.ts builds store, libraries, runners; imports
//                 everything). Nothing but entry points imports its values. Every layer may import the
//                 `TDeps` type from deps.ts: a type-only import is erased at compile time, so it adds no
//                 run-time edge and cannot form a cycle, and `deps: TDeps` is the contract each use case is
//                 handed. Narrowing each function to the part of TDeps it reads is possible later.
//  http           server/http/: the Node HTTP server process (serve, graceful shutdown): routes requests into
//                 oauth and ops; started by cli/.
//  tenant         server/tenant/: whole-tenant import/export and the demo seed, built from admin use cases.
//  admin, ops     server/admin/ (and the coming server/management/): dashboard use cases.
//                 server/ops/: operator use cases and jobs (health, metrics answer, audit-log pruning,
//                 secret resealing). Neither imports the other.
//  domain         server/{oauth,mfa,rules,actions,protection,auth,notifications,audit}/, ordered inside
//                 (a package imports only packages listed before it, so packages form no cycle either):
//                   auth, notifications, audit ← protection ← oauth-core ← rules ← actions ← mfa ← oauth
//                 oauth-core (server/oauth/core/) is the OAuth vocabulary MFA and rules speak (error classes, request reading,
//                 client authentication, the config cache it reads, the grant context type, secret-parameter
//                 names, token issuing); the rest of oauth/ (token endpoint, grants, userinfo, discovery, MFA
//                 grants) sits on top and calls mfa and the login flow. actions sits on rules: the post-login
//                 flow runs the rules first, then the actions (server/actions/run-login-flow.ts).
//  store          server/store/: the only modules that touch the database (plain SQL; no Prisma Client).
//  audit-events   server/audit/events.ts: the typed audit event union and its scrubbing; store writes it.
//  crypto         server/crypto/: leaf utilities over node:crypto (digests, random ids, the secret box).
//  platform       server/platform/: leaf code everyone may import (env, clock, logger, metrics registry, body
//                 reading with caps, IP parsing and lists, zod issue paths).
//
// Beside the layers: rules-runtime/ (the sandbox) imports nothing from server/ or app/; server/rules and the
// admin rule screens import it. components/ (browser code) imports other components, browser-safe modules and
// server types only. browser-safe modules are pure files the dashboard also runs in the browser; they import
// nothing.

const DOMAIN_ORDER = [
  ["auth", "notifications", "audit"],
  ["protection"],
  ["oauth-core"],
  ["rules"],
  ["actions"],
  ["mfa"],
  ["oauth"],
];
const DOMAIN = DOMAIN_ORDER.flat();
const BELOW_DOMAIN = ["platform", "crypto", "audit-events", "store", "browser-safe"];
const USE_CASES = ["admin", "ops", "tenant"];

// Element descriptors classify folders; the few layers that are single files inside another layer's folder are
// picked out by path below (SELECT).
const AUDIT_EVENTS = "server/audit/events.ts";
const OAUTH_CORE = ["server/oauth/core/**"];
// The grant-type registry is vocabulary every layer speaks (metrics labels, client validation, the token endpoint,
// the dashboard forms) and imports nothing, so it is a leaf like the other browser-safe files.
const BROWSER_SAFE = [
  "server/admin/rules/rule-warnings.ts",
  "server/actions/action-warnings.ts",
  "server/admin/resolve-callback-url.ts",
  "server/oauth/grant-types.ts",
  "server/admin/lockout/describe-lockout.ts",
];
const DEPS = "server/config/deps.ts";

/** Element descriptors: the first that matches a file's folder (from the project root) classifies it. */
export const LAYER_ELEMENTS = [
  { type: "platform", partialMatch: false, pattern: "server/platform" },
  { type: "crypto", partialMatch: false, pattern: "server/crypto" },
  { type: "store", partialMatch: false, pattern: "server/store" },
  { type: "auth", partialMatch: false, pattern: "server/auth" },
  { type: "notifications", partialMatch: false, pattern: "server/notifications" },
  { type: "audit", partialMatch: false, pattern: "server/audit" },
  { type: "protection", partialMatch: false, pattern: "server/protection" },
  { type: "rules", partialMatch: false, pattern: "server/rules" },
  { type: "actions", partialMatch: false, pattern: "server/actions" },
  { type: "mfa", partialMatch: false, pattern: "server/mfa" },
  { type: "oauth", partialMatch: false, pattern: "server/oauth" },
  { type: "admin", partialMatch: false, pattern: ["server/admin", "server/management"] },
  { type: "ops", partialMatch: false, pattern: "server/ops" },
  { type: "tenant", partialMatch: false, pattern: "server/tenant" },
  { type: "http", partialMatch: false, pattern: "server/http" },
  { type: "config", partialMatch: false, pattern: "server/config" },
  { type: "testing", partialMatch: false, pattern: "server/testing" },
  { type: "rules-runtime", partialMatch: false, pattern: "rules-runtime" },
  { type: "components", partialMatch: false, pattern: "components" },
  { type: "bench", partialMatch: false, pattern: "bench" },
  { type: "app", partialMatch: false, pattern: "app" },
  { type: "entry", partialMatch: false, pattern: ["cli", "scripts", "e2e", "bin"] },
];

/** A layer name → the selector of its files. */
const SELECT = {
  "audit-events": { element: { type: "audit" }, file: { path: AUDIT_EVENTS } },
  "oauth-core": { element: { type: "oauth" }, file: { path: OAUTH_CORE } },
  "browser-safe": { file: { path: BROWSER_SAFE } },
};
const select = (name) => SELECT[name] ?? { element: { type: name } };
const allow = (from, to) => ({ from: select(from), allow: { to: to.map(select) } });
const disallow = (from, to) => ({ from: select(from), disallow: { to: to.map(select) } });

/** Who may import whom. Default: disallow. A later policy overrides an earlier one. */
export const LAYER_POLICIES = [
  allow("platform", ["platform", "browser-safe"]),
  allow("crypto", ["platform", "crypto"]),
  allow("store", ["platform", "crypto", "audit-events", "store"]),
  ...DOMAIN_ORDER.flatMap((tier, i) =>
    tier.map((pkg) => allow(pkg, [...BELOW_DOMAIN, ...DOMAIN_ORDER.slice(0, i).flat(), pkg])),
  ),
  allow("rules", ["rules-runtime"]),
  allow("actions", ["rules-runtime"]),
  allow("admin", [...BELOW_DOMAIN, ...DOMAIN, "admin", "rules-runtime"]),
  allow("ops", [...BELOW_DOMAIN, ...DOMAIN, "ops"]),
  allow("tenant", [...BELOW_DOMAIN, ...DOMAIN, "admin", "tenant"]),
  allow("http", [...BELOW_DOMAIN, ...DOMAIN, ...USE_CASES, "http"]),
  allow("config", [...BELOW_DOMAIN, ...DOMAIN, ...USE_CASES, "http", "config", "rules-runtime"]),
  allow("entry", [
    ...BELOW_DOMAIN,
    ...DOMAIN,
    ...USE_CASES,
    "http",
    "config",
    "rules-runtime",
    "components",
    "entry",
  ]),
  // House rule 1: app/ parses, calls one server/ function and shapes the response; it never touches the store.
  allow("app", [
    ...BELOW_DOMAIN,
    ...DOMAIN,
    ...USE_CASES,
    "http",
    "config",
    "rules-runtime",
    "components",
    "app",
  ]),
  disallow("app", ["store"]),
  // Benchmarks drive the same fixtures the tests use.
  allow("bench", [
    ...BELOW_DOMAIN,
    ...DOMAIN,
    ...USE_CASES,
    "http",
    "config",
    "rules-runtime",
    "testing",
    "bench",
  ]),
  allow("rules-runtime", ["rules-runtime"]),
  allow("components", ["components", "browser-safe"]),
  // Browser code may name server types (erased at build time), never import server values.
  {
    from: select("components"),
    allow: { to: [...BELOW_DOMAIN, ...DOMAIN, ...USE_CASES].map(select), dependency: { kind: "type" } },
  },
  // The composition root's TDeps type, for every server layer (see the header).
  {
    from: [...BELOW_DOMAIN, ...DOMAIN, ...USE_CASES, "http"].map(select),
    allow: { to: { element: { type: "config" }, file: { path: DEPS } }, dependency: { kind: "type" } },
  },
  // The single-file layers inside another layer's folder get that folder's rights above; take back what is
  // above them.
  disallow("audit-events", ["store", ...DOMAIN, ...USE_CASES, "http", "config"]),
  disallow("oauth-core", ["rules", "actions", "mfa", "oauth"]),
  allow("oauth-core", [...BELOW_DOMAIN, "auth", "notifications", "audit", "protection", "oauth-core"]),
  disallow("browser-safe", [...BELOW_DOMAIN, ...DOMAIN, ...USE_CASES, "http", "config"]),
  // ─── Exceptions (upward imports allowed for now; each says why) ───────────────────────────────────────────
  // 1, 2. The dashboard's Next.js glue (next-auth's authorize callback, withAdmin and getCurrentAdmin) runs where
  // no caller hands it deps, so it reads the process-wide deps the composition root builds (getDeps). It belongs
  // with app/ (or deps should be handed in by the 45 routes that use it); until then these two files may.
  // 3. withManagement is the same glue for the Management API's routes (/api/v2).
  {
    from: {
      element: { type: "admin" },
      file: {
        path: [
          "server/admin/session.ts",
          "server/admin/auth-options.ts",
          "server/management/with-management.ts",
        ],
      },
    },
    allow: {
      to: { element: { type: "config" }, file: { path: DEPS } },
      dependency: { specifiers: "getDeps" },
    },
  },
];
