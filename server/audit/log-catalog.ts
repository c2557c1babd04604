// Every log event type Portcullis writes, with the name and description Auth0 gives it in "Log Event Type Codes"
// (auth0.com/docs/deploy-monitor/logs/log-event-type-codes), so the dashboard shows "Failed Login (Incorrect
// Password)" instead of `fp`. Where Auth0 names several codes alike ("Success Exchange"), the name says which
// exchange. Pure and importing nothing, so a client component may import it once it is listed in BROWSER_SAFE
// (eslint.layers.mjs); today the use cases name the events and components import only its types. A test checks it
// covers every code in server/audit/events.ts LOG_TYPES.

/** How an event is grouped and styled: the outcome a security team reads at a glance. */
export type TLogCategory = "success" | "failure" | "block" | "notice" | "admin";

export type TLogTypeInfo = {
  code: string;
  /** Auth0's event name (made specific where Auth0 reuses one name for several codes). */
  name: string;
  /** Auth0's description of the event. */
  description: string;
  category: TLogCategory;
};

type TEntry = Omit<TLogTypeInfo, "code">;

/** The categories in the order the dashboard lists them, with their headings. */
export const LOG_CATEGORIES: readonly { category: TLogCategory; label: string }[] = [
  { category: "failure", label: "Failures" },
  { category: "block", label: "Blocks and breached passwords" },
  { category: "success", label: "Successes" },
  { category: "notice", label: "MFA and other notices" },
  { category: "admin", label: "Administration" },
];

const success = (name: string, description: string): TEntry => ({ name, description, category: "success" });
const failure = (name: string, description: string): TEntry => ({ name, description, category: "failure" });
const block = (name: string, description: string): TEntry => ({ name, description, category: "block" });
const notice = (name: string, description: string): TEntry => ({ name, description, category: "notice" });
const admin = (name: string, description: string): TEntry => ({ name, description, category: "admin" });

/** Name, description and category of every event type Portcullis writes, keyed by Auth0's code. */
export const LOG_CATALOG = {
  s: success("Success Login", "Successful login event."),
  f: failure(
    "Failed Login",
    "Failed login. Only written when the error is not covered by the fp or fu log types.",
  ),
  fp: failure("Failed Login (Incorrect Password)", "Failed login due to invalid password."),
  fu: failure("Failed Login (Invalid Email/Username)", "Failed login due to invalid username."),
  sepft: success(
    "Success Exchange (Password for Access Token)",
    "Successful exchange of Password for Access Token.",
  ),
  fepft: failure(
    "Failed Exchange (Password for Access Token)",
    "Failed exchange of Password for Access Token.",
  ),
  sertft: success(
    "Success Exchange (Refresh Token for Access Token)",
    "Successful exchange of Refresh Token for Access Token.",
  ),
  fertft: failure(
    "Failed Exchange (Refresh Token for Access Token)",
    "Failed exchange of Refresh Token for Access Token. This could occur if the refresh token is revoked or expired.",
  ),
  seccft: success(
    "Success Exchange (Client Credentials)",
    "Successful exchange of Access Token for a Client Credentials Grant.",
  ),
  feccft: failure(
    "Failed Exchange (Client Credentials)",
    "Failed exchange of Access Token for a Client Credentials Grant.",
  ),
  mfar: notice(
    "MFA Required",
    "A user has been prompted for multi-factor authentication (MFA). Available only in the Resource Owner Password Flow.",
  ),
  seotpft: success(
    "Success Exchange (Password and OTP)",
    "Successful exchange of Password and OTP Challenge for Access Token.",
  ),
  feotpft: failure(
    "Failed Exchange (Password and OTP)",
    "Failed exchange of Password and OTP Challenge for Access Token.",
  ),
  sercft: success(
    "Success Exchange (Password and MFA Recovery Code)",
    "Successful exchange of Password and MFA Recovery code for Access Token.",
  ),
  fercft: failure(
    "Failed Exchange (Password and MFA Recovery Code)",
    "Failed exchange of Password and MFA Recovery code for Access Token.",
  ),
  gd_start_enroll: notice("MFA Enroll started", "Multi-factor authentication enroll has started."),
  gd_enrollment_complete: success(
    "MFA enrollment complete",
    "A first time MFA user has successfully enrolled using one of the factors.",
  ),
  gd_auth_succeed: success("MFA Auth success", "Multi-factor authentication success."),
  gd_auth_failed: failure(
    "MFA Auth failed",
    "Multi-factor authentication failed. This could happen due to a wrong code entered for a one-time-password factor, or a system failure.",
  ),
  gd_otp_rate_limit_exceed: block(
    "Too many MFA failures",
    "A user sent too many wrong one-time passwords; further attempts are refused for a while.",
  ),
  gd_recovery_succeed: success(
    "MFA recovery success",
    "A user successfully authenticates with a recovery code.",
  ),
  gd_recovery_failed: failure(
    "Recovery failed",
    "A user enters a wrong recovery code when attempting to authenticate.",
  ),
  gd_recovery_rate_limit_exceed: block(
    "Multi-factor recovery code has failed too many times",
    "A user has entered a wrong recovery code too many times.",
  ),
  gd_unenroll: notice(
    "Unenroll device account",
    "Device used for second factor authentication has been unenrolled.",
  ),
  sapi: admin("Success API Operation", "Successful management API write event."),
  fapi: admin("Failed API Operation", "Failed management API operation."),
  limit_wc: block(
    "Blocked Account",
    "An IP address is blocked because it reached the maximum failed login attempts into a single account.",
  ),
  limit_mu: block(
    "Blocked IP Address",
    "An IP address is blocked because it attempted too many failed logins without a successful login.",
  ),
  ublkdu: block("User login block released", "User block set up by anomaly detection has been released."),
  pwd_leak: block(
    "Breached password",
    "Someone behind the IP address attempted to log in with a leaked password.",
  ),
  ss: success("Success Signup", "Successful signup."),
  fs: failure("Failed Signup", "Failed signup."),
  signup_pwd_leak: block(
    "Breached Password on Signup",
    "Someone behind the IP address attempted to sign up with a leaked password.",
  ),
  reset_pwd_leak: block(
    "Breached Password on Reset",
    "Someone behind the IP address attempted to reset a password to a leaked password.",
  ),
  scpr: success("Success Change Password Request", "Successful change password request."),
  fcpr: failure("Failed Change Password Request", "Failed change password request."),
  scp: success("Success Change Password", "Successful change password."),
  fcp: failure("Failed Change Password", "Failed change password."),
  sv: success("Success Verification Email", "Successfully consumed email verification link."),
  fv: failure("Failed Verification Email", "Failed to send verification email."),
  srrt: success("Successfully revoked a refresh token", "Successfully revoked a refresh token."),
  sdu: admin("Success User Deletion", "User successfully deleted."),
} as const satisfies Record<string, TEntry>;

/** Name, description and category of `code`; a code outside the catalogue is named by itself, never dropped. */
export function describeLogType(code: string): TLogTypeInfo {
  const entry = Object.hasOwn(LOG_CATALOG, code) ? LOG_CATALOG[code as keyof typeof LOG_CATALOG] : undefined;
  return entry
    ? { code, ...entry }
    : { code, name: code, description: "An event type this dashboard does not know.", category: "notice" };
}

/** Every catalogued event type grouped by category, in LOG_CATEGORIES order and by name inside each group. */
export function groupLogTypes(): { category: TLogCategory; label: string; types: TLogTypeInfo[] }[] {
  const all = Object.keys(LOG_CATALOG).map(describeLogType);
  return LOG_CATEGORIES.map(({ category, label }) => ({
    category,
    label,
    types: all.filter((t) => t.category === category).sort((a, b) => a.name.localeCompare(b.name, "en")),
  }));
}
