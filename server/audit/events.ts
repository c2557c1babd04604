/** Auth0 log event codes Portcullis emits (contract §6.1). */
export const LOG_TYPES = {
  s: "Success Login",
  f: "Failed Login",
  fp: "Failed Login (Incorrect Password)",
  fu: "Failed Login (Invalid Email/Username)",
  sepft: "Success Exchange (Password for Access Token)",
  fepft: "Failed Exchange (Password for Access Token)",
  sertft: "Success Exchange (Refresh Token for Access Token)",
  fertft: "Failed Exchange (Refresh Token for Access Token)",
  seccft: "Success Exchange (Client Credentials for Access Token)",
  feccft: "Failed Exchange (Client Credentials for Access Token)",
  mfar: "MFA Required",
  seotpft: "Success Exchange (Password and OTP for Access Token)",
  feotpft: "Failed Exchange (Password and OTP for Access Token)",
  sercft: "Success Exchange (Password and MFA Recovery code for Access Token)",
  fercft: "Failed Exchange (Password and MFA Recovery code for Access Token)",
  gd_start_enroll: "Second factor enrollment started",
  gd_enrollment_complete: "Guardian enrollment complete",
  gd_auth_succeed: "MFA authentication success",
  gd_auth_failed: "MFA authentication failed",
  gd_otp_rate_limit_exceed: "Too many failures (OTP)",
  gd_recovery_succeed: "Recovery succeeded",
  gd_recovery_failed: "Recovery failed",
  gd_recovery_rate_limit_exceed: "Too many failures (recovery code)",
  gd_unenroll: "Device unenrolled",
  sapi: "Success API Operation (admin change)",
  fapi: "Failed API Operation (admin change)",
  limit_wc: "Blocked Account (brute-force threshold reached for one identifier)",
  limit_mu: "Blocked IP Address (too many failed logins from one IP)",
  ublkdu: "User Block Released",
  pwd_leak: "Breached Password",
  ss: "Success Signup",
  fs: "Failed Signup",
  signup_pwd_leak: "Breached password on signup",
  reset_pwd_leak: "Breached password on reset password",
  scpr: "Success Change Password Request",
  fcpr: "Failed Change Password Request",
  scp: "Success Change Password",
  fcp: "Failed Change Password",
  sv: "Success Verification Email",
  fv: "Failed Verification Email",
  srrt: "Successful Refresh Token Revocation",
  sdu: "Successful User Deletion",
} as const;

export type TLogType = keyof typeof LOG_TYPES;

/** One audit record, in Auth0's /api/v2/logs field names. */
export type TLogEvent = {
  type: TLogType;
  description?: string;
  client_id?: string;
  client_name?: string;
  connection?: string;
  connection_id?: string;
  user_id?: string;
  user_name?: string;
  ip?: string;
  client_ip?: string;
  user_agent?: string;
  hostname?: string;
  audience?: string;
  scope?: string;
  strategy?: string;
  details?: Record<string, unknown>;
};

const SECRET_KEYS =
  /^(password|client_secret|secret|refresh_token|access_token|id_token|otp|recovery_code|mfa_token|binding_code|oob_code|authorization|client_assertion|new_password)$/i;

/** Deep-copies `value` replacing anything under a secret-looking key with "[redacted]" (house rule 11). */
export function scrubSecrets(value: unknown, depth = 0): unknown {
  if (depth > 8) return "[truncated]";
  if (Array.isArray(value)) return value.map((v) => scrubSecrets(v, depth + 1));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      out[k] = SECRET_KEYS.test(k) ? "[redacted]" : scrubSecrets(v, depth + 1);
    return out;
  }
  return value;
}
