import type { Completion, CompletionContext, CompletionResult } from "@codemirror/autocomplete";
import { javascriptLanguage } from "@codemirror/lang-javascript";
import { linter, lintGutter, type Diagnostic } from "@codemirror/lint";
import { EditorView, type Extension, type Text } from "@uiw/react-codemirror";
import {
  REDIRECT_WITHOUT_PROTOCOL_WARNING,
  findRedirectAssignments,
} from "@/server/admin/rules/rule-warnings";

/** A field a rule can read, with what it holds; `fields` are the ones below it. */
type TField = { type: string; info: string; fields?: Record<string, TField> };

const str = (info: string): TField => ({ type: "string", info });
const bool = (info: string): TField => ({ type: "boolean", info });
const obj = (info: string, fields?: Record<string, TField>): TField => ({ type: "object", info, fields });
const arr = (info: string): TField => ({ type: "array", info });

/** The Auth0 Rules `user` object (contract §3.3). */
export const USER_FIELDS: Record<string, TField> = {
  user_id: str("The user's id, e.g. auth0|5f7c8ec7c33c6c004bbafe82"),
  email: str("Email address"),
  email_verified: bool("Whether the email address was verified"),
  username: str("Username (connections that use usernames)"),
  name: str("Full name"),
  nickname: str("Nickname"),
  given_name: str("Given name"),
  family_name: str("Family name"),
  picture: str("URL of the profile picture"),
  phone_number: str("Phone number"),
  phone_verified: bool("Whether the phone number was verified"),
  created_at: str("When the user was created (ISO 8601)"),
  updated_at: str("When the profile last changed (ISO 8601)"),
  last_password_reset: str("When the password was last reset (ISO 8601)"),
  last_login: str("When the user last logged in (ISO 8601)"),
  last_ip: str("IP address of the last login"),
  logins_count: { type: "number", info: "Number of logins" },
  blocked: bool("Whether an admin blocked the user"),
  identities: arr("Identities: connection, provider, isSocial, user_id, profileData"),
  app_metadata: obj("Metadata the user cannot change (roles, plan, …); may be undefined"),
  user_metadata: obj("Metadata the user may change (preferences, …)"),
  multifactor: arr("Enrolled MFA providers"),
  permissions: arr("Permissions assigned to the user"),
};

/** The Auth0 Rules `context` object (contract §3.2). */
export const CONTEXT_FIELDS: Record<string, TField> = {
  tenant: str("Tenant name"),
  clientID: str("Client id of the application logging in"),
  clientName: str("Name of the application"),
  clientMetadata: obj("The application's metadata (string → string)"),
  connectionID: str("Id of the connection"),
  connection: str("Name of the connection, e.g. Username-Password-Authentication"),
  connectionStrategy: str("Strategy of the connection, e.g. auth0"),
  connectionOptions: obj("Options of the connection"),
  connectionMetadata: obj("Metadata of the connection"),
  protocol: str("How the user logs in: oauth2-password, oauth2-refresh-token, oauth2-resource-owner, …"),
  riskAssessment: obj("Risk assessment of the login"),
  stats: obj("Login statistics", { loginsCount: { type: "number", info: "Number of logins" } }),
  sso: obj("Single sign-on state", {
    with_auth0: bool("Whether SSO was used with Auth0"),
    with_dbconn: bool("Whether SSO was used with a database connection"),
    current_clients: arr("Clients with an SSO session"),
  }),
  accessToken: obj("Claims added to the access token; set .scope (array) to replace the granted scopes", {
    scope: arr("Replaces the scopes the access token grants"),
  }),
  idToken: obj("Claims added to the ID token (namespaced names, e.g. https://example.com/roles)"),
  multifactor: obj("Set to require MFA: { provider: 'any', allowRememberBrowser: false }", {
    provider: str("'any', 'guardian' or 'google-authenticator'"),
    allowRememberBrowser: bool("Has no effect on /oauth/token logins"),
  }),
  redirect: obj(
    "Redirects the user: NOT possible on /oauth/token (password, refresh-token) logins, which then fail with access_denied",
    { url: str("Where to redirect") },
  ),
  sessionID: str("Id of the login session"),
  request: obj("The HTTP request", {
    userAgent: str("User-Agent header"),
    ip: str("Client IP address"),
    hostname: str("Host the request was sent to"),
    query: obj("Query string parameters"),
    body: obj("Body parameters (the password is removed)"),
    geoip: obj("Location of the IP address", {
      country_code: str("ISO 3166-1 alpha-2 country code"),
      country_code3: str("ISO 3166-1 alpha-3 country code"),
      country_name: str("Country name"),
      city_name: str("City name"),
      latitude: { type: "number", info: "Latitude" },
      longitude: { type: "number", info: "Longitude" },
      time_zone: str("Time zone"),
      continent_code: str("Continent code"),
      subdivision_code: str("Subdivision code"),
      subdivision_name: str("Subdivision name"),
    }),
  }),
  primaryUser: str("Id of the primary user when accounts are linked"),
  authentication: obj("How the user authenticated", {
    methods: arr("Methods used: { name: 'pwd' | 'mfa' | …, timestamp }"),
  }),
  authorization: obj("Authorization data", { roles: arr("Role names assigned to the user") }),
  organization: obj("The organization logged in to", {
    id: str("Organization id"),
    name: str("Organization name"),
    metadata: obj("Organization metadata"),
  }),
};

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * Completions after `user.`, `context.` (nested: `context.request.geoip.`) and `configuration.`; the configuration
 * keys are the tenant's rule setting names (never their values). A key that is not an identifier is offered as
 * `configuration['key']`.
 */
export function ruleCompletionSource(settingKeys: readonly string[]) {
  return (ctx: CompletionContext): CompletionResult | null => {
    const m = ctx.matchBefore(/\b(?:user|context|configuration)(?:\.[A-Za-z_$][\w$]*)*\.[\w$]*$/);
    if (!m) return null;
    const path = m.text.split(".");
    const typed = path.pop() ?? "";
    const [root, ...rest] = path;
    const dotAt = m.to - typed.length - 1;
    let options: Completion[];
    if (root === "configuration") {
      if (rest.length > 0) return null;
      options = settingKeys.map((key) =>
        IDENTIFIER.test(key)
          ? { label: key, type: "property", detail: "rule setting" }
          : {
              label: key,
              type: "property",
              detail: "rule setting",
              apply: (view: EditorView, _c: Completion, _from: number, to: number) =>
                view.dispatch({
                  changes: { from: dotAt, to, insert: `[${JSON.stringify(key)}]` },
                }),
            },
      );
    } else {
      let fields: Record<string, TField> | undefined = root === "user" ? USER_FIELDS : CONTEXT_FIELDS;
      for (const p of rest) fields = fields?.[p]?.fields;
      if (!fields) return null;
      options = Object.entries(fields).map(([label, f]) => ({
        label,
        type: "property",
        detail: f.type,
        info: f.info,
      }));
    }
    return { from: m.to - typed.length, options, validFor: /^[\w$]*$/ };
  };
}

/** Where lezer's JavaScript parser first failed in `source`, or null. */
function firstParseError(source: string): { from: number; to: number } | null {
  let found: { from: number; to: number } | null = null;
  javascriptLanguage.parser.parse(source).iterate({
    enter(node) {
      if (found) return false;
      if (node.type.isError) {
        found = { from: node.from, to: node.to };
        return false;
      }
      return undefined;
    },
  });
  return found;
}

/**
 * The syntax error the rules sandbox would report for `script`, found in the browser: the browser's own JavaScript
 * engine compiles the script wrapped as the sandbox wraps it (`(script)`; compiled, never called) and gives the
 * message; lezer's parser of the same text gives the place. Null when it compiles.
 */
export function findSyntaxError(script: string): { from: number; to: number; message: string } | null {
  const body = script.replace(/[\s;]+$/, "");
  try {
    // Compiling only: the function made here is never called, so no rule code runs in the dashboard.
    new Function(`return (${body}\n);`);
    return null;
  } catch (err) {
    if (!(err instanceof SyntaxError)) return null;
    const at = firstParseError(`(${body}\n)`);
    // Positions in the wrapped text are one character to the right of the script's.
    const from = Math.min(Math.max((at?.from ?? body.length + 1) - 1, 0), script.length);
    let to = Math.min(Math.max((at?.to ?? from) - 1, from), script.length);
    // lezer's error node is often empty; underline the character there so the mark is visible.
    if (to === from && from < script.length && script[from] !== "\n") to = from + 1;
    return { from, to, message: err.message };
  }
}

/** A compile error the server reported on save, and the text it was about (it stands until the text changes). */
export type TServerCompileError = { text: string; line: number; column: number; message: string };

function lineColumnToPos(doc: Text, line: number, column: number): number {
  const l = doc.line(Math.min(Math.max(line, 1), doc.lines));
  return Math.min(l.from + Math.max(column - 1, 0), l.to);
}

/**
 * The editor's linter: the syntax error (from the browser, or the server's for the text it refused), and the
 * redirect warning at each `context.redirect` assignment with the error password logins then get.
 */
export function ruleLinter(opts: {
  redirectRefusal: string;
  serverError: () => TServerCompileError | null;
}): Extension {
  return [
    lintGutter(),
    linter(
      (view) => {
        const doc = view.state.doc;
        const script = doc.toString();
        const out: Diagnostic[] = [];
        const server = opts.serverError();
        const syntax = findSyntaxError(script);
        if (server && server.text === script) {
          const from = lineColumnToPos(doc, server.line, server.column);
          out.push({
            from,
            to: Math.min(from + 1, doc.length),
            severity: "error",
            source: "server",
            message: server.message,
          });
        } else if (syntax) {
          out.push({
            ...syntax,
            severity: "error",
            source: "syntax",
            message: `Syntax error: ${syntax.message}`,
          });
        }
        const { assignments, checksProtocol } = findRedirectAssignments(script);
        for (const a of assignments) {
          out.push({
            from: a.from,
            to: a.to,
            severity: checksProtocol ? "info" : "warning",
            source: "redirect",
            message: checksProtocol
              ? `Password and refresh-token logins cannot redirect: if this runs on one, the login fails with ` +
                `access_denied ("${opts.redirectRefusal}"). Make sure the context.protocol check skips it.`
              : `${REDIRECT_WITHOUT_PROTOCOL_WARNING} The login error is "${opts.redirectRefusal}".`,
          });
        }
        return out;
      },
      { delay: 300 },
    ),
  ];
}

/** Completions for rule scripts, added to the JavaScript language's own (keywords, local names). */
export function ruleCompletions(settingKeys: readonly string[]): Extension {
  return javascriptLanguage.data.of({ autocomplete: ruleCompletionSource(settingKeys) });
}

/** Names (and describes, by element id) the editor's text area for assistive technology. */
export function editorLabel(label: string, describedBy?: string): Extension {
  return EditorView.contentAttributes.of({
    "aria-label": label,
    ...(describedBy ? { "aria-describedby": describedBy } : {}),
  });
}
