import type { CompletionContext, CompletionResult } from "@codemirror/autocomplete";
import { javascriptLanguage } from "@codemirror/lang-javascript";
import { linter, lintGutter, type Diagnostic } from "@codemirror/lint";
import type { Extension, Text } from "@uiw/react-codemirror";
import { ACTION_REDIRECT_WARNING, findActionRedirects } from "@/server/actions/action-warnings";

/** A member an action can use, with what it is; `fields` are the ones below it. */
type TMember = { type: string; info: string; fields?: Record<string, TMember> };

const str = (info: string): TMember => ({ type: "string", info });
const num = (info: string): TMember => ({ type: "number", info });
const bool = (info: string): TMember => ({ type: "boolean", info });
const obj = (info: string, fields?: Record<string, TMember>): TMember => ({ type: "object", info, fields });
const arr = (info: string): TMember => ({ type: "array", info });
const fn = (signature: string, info: string): TMember => ({ type: `function ${signature}`, info });

/** Auth0's post-login `event`, the fields Portcullis fills in (server/actions/post-login-event.ts). */
export const EVENT_FIELDS: Record<string, TMember> = {
  user: obj("The user logging in", {
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
    logins_count: num("Number of logins"),
    blocked: bool("Whether an admin blocked the user"),
    identities: arr("Identities: connection, provider, isSocial, user_id"),
    app_metadata: obj("Metadata the user cannot change (roles, plan, …)"),
    user_metadata: obj("Metadata the user may change (preferences, …)"),
    multifactor: arr("Enrolled MFA providers"),
  }),
  client: obj("The application logging in", {
    client_id: str("Client id"),
    name: str("Application name"),
    metadata: obj("The application's metadata (string → string)"),
  }),
  connection: obj("The connection the user logs in with", {
    id: str("Connection id"),
    name: str("Connection name, e.g. Username-Password-Authentication"),
    strategy: str("Strategy, e.g. auth0"),
    metadata: obj("Connection metadata"),
  }),
  request: obj("The HTTP request", {
    ip: str("Client IP address"),
    hostname: str("Host the request was sent to"),
    user_agent: str("User-Agent header"),
    method: str("HTTP method"),
    query: obj("Query string parameters (secrets removed)"),
    body: obj("Body parameters (the password and client secret are removed)"),
  }),
  stats: obj("Login statistics", { logins_count: num("Number of logins") }),
  tenant: obj("The tenant", { id: str("Tenant name") }),
  transaction: obj("This login", {
    id: str("Id of this login attempt"),
    protocol: str("oauth2-password or oauth2-refresh-token: redirects are not possible on either"),
    requested_scopes: arr("Scopes the request asked for"),
    acr_values: arr("Requested ACR values"),
    ui_locales: arr("Requested UI locales"),
    locale: str("Locale"),
  }),
  authentication: obj("How the user authenticated", {
    methods: arr("Methods used: { name: 'pwd' | 'mfa', timestamp }"),
  }),
  authorization: obj("Authorization data", { roles: arr("Role names assigned to the user") }),
  resource_server: obj("The API the tokens are for, when an audience was asked for", {
    identifier: str("The API's identifier (audience)"),
  }),
  secrets: obj("This action's secrets (set in the Secrets section; values never shown again)"),
};

/** Auth0's post-login `api`, as the Portcullis runtime provides it. */
export const API_MEMBERS: Record<string, TMember> = {
  access: obj("Deny the login", {
    deny: fn("(reason)", "Refuse the login with access_denied and this reason"),
  }),
  idToken: obj("The ID token", {
    setCustomClaim: fn("(name, value)", "Add a claim (namespaced name, e.g. https://example.com/team)"),
  }),
  accessToken: obj("The access token", {
    setCustomClaim: fn("(name, value)", "Add a claim (namespaced name)"),
    addScope: fn("(scope)", "Grant a scope"),
    removeScope: fn("(scope)", "Take a scope away"),
  }),
  multifactor: obj("Multi-factor authentication", {
    enable: fn("(provider, options?)", "Require MFA: provider 'any', 'guardian' or 'google-authenticator'"),
  }),
  user: obj("Change the user's metadata", {
    setAppMetadata: fn("(name, value)", "Set (or, with undefined, remove) an app_metadata key"),
    setUserMetadata: fn("(name, value)", "Set (or, with undefined, remove) a user_metadata key"),
  }),
  cache: obj("This action's cache (best effort, per server process)", {
    get: fn("(key)", "{ value, expires_at } or undefined"),
    set: fn("(key, value, { ttl?, expires_at? })", "Store a string (at most 20 entries per action)"),
    delete: fn("(key)", "Remove an entry"),
  }),
  redirect: obj("Redirects: NOT possible on /oauth/token logins", {
    canRedirect: fn("()", "Always false on password and refresh-token logins"),
    sendUserTo: fn("(url, options?)", "Fails the login with access_denied on /oauth/token"),
    encodeToken: fn("(options)", "Not available on /oauth/token"),
    validateToken: fn("(options)", "Not available on /oauth/token"),
  }),
  rules: obj("The Rules that ran before", {
    wasExecuted: fn("(ruleId)", "Whether the rule with this id ran in this login"),
  }),
};

/** Completions after `event.` and `api.` (nested: `event.user.`, `api.idToken.`). */
export function actionCompletionSource(secretNames: readonly string[]) {
  return (ctx: CompletionContext): CompletionResult | null => {
    const m = ctx.matchBefore(/\b(?:event|api)(?:\.[A-Za-z_$][\w$]*)*\.[\w$]*$/);
    if (!m) return null;
    const path = m.text.split(".");
    const typed = path.pop() ?? "";
    const [root, ...rest] = path;
    let fields: Record<string, TMember> | undefined = root === "event" ? EVENT_FIELDS : API_MEMBERS;
    if (root === "event" && rest.length === 1 && rest[0] === "secrets")
      fields = Object.fromEntries(secretNames.map((n) => [n, str("secret (value never shown)")]));
    else for (const p of rest) fields = fields?.[p]?.fields;
    if (!fields) return null;
    const options = Object.entries(fields).map(([label, f]) => ({
      label,
      type: f.type.startsWith("function") ? "method" : "property",
      detail: f.type,
      info: f.info,
    }));
    return { from: m.to - typed.length, options, validFor: /^[\w$]*$/ };
  };
}

/** Completions for action code, added to the JavaScript language's own. */
export function actionCompletions(secretNames: readonly string[]): Extension {
  return javascriptLanguage.data.of({ autocomplete: actionCompletionSource(secretNames) });
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
 * The syntax error of module code, found in the browser: the browser's engine compiles it as the body of the
 * function the runtime wraps it in (compiled, never called, so no action code runs in the dashboard) and gives the
 * message; lezer's parser gives the place. Null when it compiles.
 */
export function findActionSyntaxError(code: string): { from: number; to: number; message: string } | null {
  try {
    new Function("exports", "module", "require", code);
    return null;
  } catch (err) {
    if (!(err instanceof SyntaxError)) return null;
    const at = firstParseError(code);
    const from = Math.min(at?.from ?? code.length, code.length);
    let to = Math.min(Math.max(at?.to ?? from, from), code.length);
    if (to === from && from < code.length && code[from] !== "\n") to = from + 1;
    return { from, to, message: err.message };
  }
}

/** A compile error the server reported on save or deploy, and the text it was about. */
export type TServerCodeError = { text: string; line: number; column: number; message: string };

function lineColumnToPos(doc: Text, line: number, column: number): number {
  const l = doc.line(Math.min(Math.max(line, 1), doc.lines));
  return Math.min(l.from + Math.max(column - 1, 0), l.to);
}

/**
 * The editor's linter: the syntax error (the server's for the text it refused, else the browser's), and at each
 * api.redirect call the warning that redirects fail on /oauth/token logins.
 */
export function actionLinter(serverError: () => TServerCodeError | null): Extension {
  return [
    lintGutter(),
    linter(
      (view) => {
        const doc = view.state.doc;
        const code = doc.toString();
        const out: Diagnostic[] = [];
        const server = serverError();
        const syntax = findActionSyntaxError(code);
        if (server && server.text === code) {
          const from = lineColumnToPos(doc, server.line, server.column);
          out.push({ from, to: Math.min(from + 1, doc.length), severity: "error", message: server.message });
        } else if (syntax) {
          out.push({ ...syntax, severity: "error", message: `Syntax error: ${syntax.message}` });
        }
        const { calls, isGuarded } = findActionRedirects(code);
        for (const c of calls)
          out.push({
            ...c,
            severity: isGuarded ? "info" : "warning",
            message: isGuarded
              ? "Password and refresh-token logins cannot redirect: make sure the check skips this call on them."
              : ACTION_REDIRECT_WARNING,
          });
        return out;
      },
      { delay: 300 },
    ),
  ];
}
