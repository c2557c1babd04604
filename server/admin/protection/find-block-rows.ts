import type { TDeps } from "../../config/deps.ts";
import { listConnections } from "../../store/connections.ts";
import { findUserByUserId } from "../../store/users.ts";
import type { TUserRecord } from "../../store/users.ts";
import { AdminError } from "../admin-error.ts";
import { normalizeIdentifier } from "../../protection/brute-force.ts";
import { isUnstorable } from "../../oauth/core/request.ts";

/** Which counters a user-blocks request is about: an identifier (all connections) or one user's identifiers. */
export type TBlockTarget = { identifier: string } | { userId: string };

export type TResolvedTarget = {
  identifiers: string[];
  /** Only for a user: the user's connection. */
  connectionId?: string;
  user: TUserRecord | null;
};

/** Resolve a target to the normalized identifiers its counters are kept under. */
export async function resolveBlockTarget(deps: TDeps, target: TBlockTarget): Promise<TResolvedTarget> {
  if ("identifier" in target) {
    const identifier = normalizeIdentifier(target.identifier);
    if (!identifier)
      throw AdminError.invalid("Query parameter identifier is required.", { code: "invalid_query_string" });
    // No counter is kept under such a name (logins refuse it), and PostgreSQL would fail on its NUL.
    if (isUnstorable(identifier))
      throw AdminError.invalid("Query parameter identifier is not valid text.", {
        code: "invalid_query_string",
      });
    return { identifiers: [identifier], user: null };
  }
  const user = await findUserByUserId(deps.db, target.userId);
  if (!user) throw AdminError.notFound("The user does not exist.", { code: "inexistent_user" });
  const identifiers = [user.email, user.username].filter((v): v is string => !!v).map(normalizeIdentifier);
  return { identifiers: [...new Set(identifiers)], connectionId: user.connectionId, user };
}

/** Connection id → name, for showing counters. */
export async function connectionNames(deps: TDeps): Promise<Map<string, string>> {
  return new Map((await listConnections(deps.db)).map((c) => [c.id, c.name]));
}
