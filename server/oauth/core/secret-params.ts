/**
 * Request parameters that are credentials whatever the grant: client authentication, the password, tokens and
 * second-factor codes of every Auth0 grant (including the out-of-band ones Portcullis does not implement yet, so a
 * grant added later cannot leak them by forgetting to declare them). A grant declares its own in `secretParams`.
 */
export const SECRET_PARAMS: readonly string[] = [
  "password",
  "client_secret",
  "client_assertion",
  "refresh_token",
  "mfa_token",
  "otp",
  "recovery_code",
  "binding_code",
  "oob_code",
];

/**
 * Whether a request parameter is a credential that only the grant handling it may read (never rules, in
 * `context.request.body`): one of SECRET_PARAMS, or one the grant declares secret.
 */
export function isSecretParam(name: string, declaredByGrant: readonly string[]): boolean {
  return SECRET_PARAMS.includes(name) || declaredByGrant.includes(name);
}
