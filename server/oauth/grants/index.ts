import { passwordGrant } from "./password.ts";
import { refreshTokenGrant } from "./refresh-token.ts";
import type { TGrant } from "./types.ts";

/** Registered grants by grant_type. Later grants (MFA) register here. */
export const GRANTS: ReadonlyMap<string, TGrant> = new Map(
  [passwordGrant, refreshTokenGrant].flatMap((g) => g.grantTypes.map((t) => [t, g] as const)),
);
