import type { TDeps } from "../../config/deps.ts";
import type { TClientRecord } from "../../store/clients.ts";
import type { TLogEvent, TLogType } from "../../audit/events.ts";

export type TGrantContext = {
  grantType: string;
  /** Only the parameters the grant declares (house rule 4). */
  params: Record<string, string>;
  /** The grant's `secretParams`: with SECRET_PARAMS, what never leaves the grant (rules do not see them). */
  secretParams: readonly string[];
  client: TClientRecord;
  isSecretAuthenticated: boolean;
  /** End-user IP (forwarded when trusted) and the caller's socket IP. */
  ip: string | undefined;
  clientIp: string | undefined;
  userAgent: string | undefined;
  hostname: string | undefined;
  /** The request URL's query string (without "?"); rules see it parsed, secrets stripped. */
  query: string;
  deps: TDeps;
  now: Date;
  /** Facts gathered while handling; a failure log is written from them. */
  audit: Partial<TLogEvent> & { failureType?: TLogType; isLogged?: boolean };
};

export type TTokenResponse = {
  access_token: string;
  id_token?: string;
  refresh_token?: string;
  scope: string;
  expires_in: number;
  token_type: "Bearer";
} & Record<string, unknown>;

/** A grant module: fixed shape, registered by name (node-oidc-provider style). */
export type TGrant = {
  /** The grant types it handles; whether third parties may use them is the registry's (grant-types.ts). */
  grantTypes: readonly string[];
  /** Body parameters this grant reads besides client authentication. Others are stripped. */
  params: readonly string[];
  /**
   * Which of `params` are credentials (besides the shared SECRET_PARAMS of secret-params.ts): the grant reads them,
   * nothing else does — rules get the request body without them.
   */
  secretParams: readonly string[];
  /** Log type for failures that are not credential failures. */
  failureLogType: TLogType;
  handle(ctx: TGrantContext): Promise<TTokenResponse>;
};
