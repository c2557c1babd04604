/**
 * The grant-type registry: every `grant_type` Portcullis knows, which of them the token endpoint serves, and which
 * only first-party clients may hold. The token endpoint, client validation (importer, dashboard, Management API),
 * metrics and the dashboard forms all read it, so a grant is named in one place. Imports nothing.
 */

export const PASSWORD = "password";
export const PASSWORD_REALM = "http://auth0.com/oauth/grant-type/password-realm";
export const REFRESH_TOKEN = "refresh_token";
export const MFA_OTP = "http://auth0.com/oauth/grant-type/mfa-otp";
export const MFA_OOB = "http://auth0.com/oauth/grant-type/mfa-oob";
export const MFA_RECOVERY_CODE = "http://auth0.com/oauth/grant-type/mfa-recovery-code";
export const AUTHORIZATION_CODE = "authorization_code";
export const IMPLICIT = "implicit";
export const CLIENT_CREDENTIALS = "client_credentials";

type TGrantTypeFacts = {
  /** The token endpoint answers it (a module in oauth/grants/ handles it). */
  isServed: boolean;
  /** Auth0 refuses it to third-party clients (contract §2): the password and MFA grants. */
  isFirstPartyOnly: boolean;
};

/**
 * Every grant type Auth0 documents for a client's `grant_types` (application-grant-types: specification-conforming,
 * extension and legacy grants). Those not served are stored as given, so an Auth0 tenant file imports and exports
 * unchanged; a grant type outside this table is refused.
 */
export const GRANT_TYPES = {
  [PASSWORD]: { isServed: true, isFirstPartyOnly: true },
  [PASSWORD_REALM]: { isServed: true, isFirstPartyOnly: true },
  [REFRESH_TOKEN]: { isServed: true, isFirstPartyOnly: false },
  [MFA_OTP]: { isServed: true, isFirstPartyOnly: true },
  [MFA_RECOVERY_CODE]: { isServed: true, isFirstPartyOnly: true },
  [MFA_OOB]: { isServed: false, isFirstPartyOnly: true },
  [AUTHORIZATION_CODE]: { isServed: false, isFirstPartyOnly: false },
  [IMPLICIT]: { isServed: false, isFirstPartyOnly: false },
  [CLIENT_CREDENTIALS]: { isServed: true, isFirstPartyOnly: false },
  "urn:ietf:params:oauth:grant-type:device_code": { isServed: false, isFirstPartyOnly: false },
  "http://auth0.com/oauth/grant-type/passwordless/otp": { isServed: false, isFirstPartyOnly: false },
  "http://auth0.com/oauth/legacy/grant-type/ro": { isServed: false, isFirstPartyOnly: false },
  "http://auth0.com/oauth/legacy/grant-type/ro/jwt-bearer": { isServed: false, isFirstPartyOnly: false },
  "http://auth0.com/oauth/legacy/grant-type/delegation/refresh_token": {
    isServed: false,
    isFirstPartyOnly: false,
  },
  "http://auth0.com/oauth/legacy/grant-type/delegation/id_token": {
    isServed: false,
    isFirstPartyOnly: false,
  },
  "http://auth0.com/oauth/legacy/grant-type/access_token": { isServed: false, isFirstPartyOnly: false },
} as const satisfies Record<string, TGrantTypeFacts>;

export type TGrantType = keyof typeof GRANT_TYPES;

/** Every known grant type, in the table's order. */
export const KNOWN_GRANT_TYPES = Object.keys(GRANT_TYPES) as [TGrantType, ...TGrantType[]];

/** The grant types the token endpoint serves (discovery's `grant_types_supported`, metrics labels). */
export const SERVED_GRANT_TYPES: readonly TGrantType[] = KNOWN_GRANT_TYPES.filter(
  (g) => GRANT_TYPES[g].isServed,
);

/** The grant types a third-party client (`is_first_party: false`) may not hold or use. */
export const FIRST_PARTY_ONLY_GRANT_TYPES: readonly TGrantType[] = KNOWN_GRANT_TYPES.filter(
  (g) => GRANT_TYPES[g].isFirstPartyOnly,
);

/** The dashboard's Password toggle: Auth0 enables the plain and the realm grant together (contract §2). */
export const PASSWORD_GRANT_GROUP = [PASSWORD, PASSWORD_REALM] as const;
/** The dashboard's MFA toggle: Auth0 enables these three together (contract §2). */
export const MFA_GRANT_GROUP = [MFA_OTP, MFA_OOB, MFA_RECOVERY_CODE] as const;

/** Whether `grantType` is one this registry names. */
export function isKnownGrantType(grantType: string): grantType is TGrantType {
  return Object.hasOwn(GRANT_TYPES, grantType);
}

/** Whether only first-party clients may hold `grantType` (unknown grant types are not first-party-only). */
export function isFirstPartyOnlyGrant(grantType: string): boolean {
  return isKnownGrantType(grantType) && GRANT_TYPES[grantType].isFirstPartyOnly;
}

/**
 * Auth0's grants for a client created without a list (contract §2, since June 2017): never the password grant;
 * public clients get implicit, authorization_code and refresh_token, confidential ones also client_credentials.
 */
export function defaultGrantTypes(isPublic: boolean): TGrantType[] {
  const base: TGrantType[] = [IMPLICIT, AUTHORIZATION_CODE, REFRESH_TOKEN];
  return isPublic ? base : [...base, CLIENT_CREDENTIALS];
}

/**
 * The dashboard's grant toggles (as in Auth0's dashboard): the Password toggle brings the realm grant, any MFA grant
 * brings the whole MFA group. The Management API and the importer store `grant_types` as given.
 */
export function withGrantGroups(grantTypes: readonly string[]): string[] {
  const grants = new Set(grantTypes);
  if (grants.has(PASSWORD)) grants.add(PASSWORD_REALM);
  if (MFA_GRANT_GROUP.some((g) => grants.has(g))) for (const g of MFA_GRANT_GROUP) grants.add(g);
  return [...grants];
}
