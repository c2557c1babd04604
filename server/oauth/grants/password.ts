import type { TGrant } from "../core/grant-context.ts";
import { PASSWORD, PASSWORD_REALM } from "../grant-types.ts";
import {
  admitAttempt,
  checkAfterPassword,
  issueAndRecord,
  required,
  requireMfa,
  resolveAudience,
  resolveConnection,
  runRules,
  verifyCredentials,
} from "./password-steps.ts";

/** The `password` and `password-realm` grants (contract §1): a short chain of named steps (password-steps.ts). */
export const passwordGrant: TGrant = {
  grantTypes: [PASSWORD, PASSWORD_REALM],
  params: ["username", "password", "realm", "audience", "scope"],
  secretParams: ["password"],
  failureLogType: "fepft",
  async handle(ctx) {
    const username = required(ctx.params, "username");
    const password = required(ctx.params, "password");
    ctx.audit.user_name = username;
    const connection = await resolveConnection(ctx);
    const { api, scope } = await resolveAudience(ctx);
    // Attack protection first: a refused attempt costs no user lookup and no password hash.
    const guard = await admitAttempt(ctx, connection, username);
    const { user, passwordHash } = await verifyCredentials(ctx, guard, connection, { username, password });
    const breached = await checkAfterPassword(ctx, guard, user, password);
    const ruled = await runRules(ctx, guard, { user, connection, api, scope });
    await requireMfa(ctx, guard, { user, connection, api, scope }, ruled);
    return issueAndRecord(ctx, guard, { user, password, passwordHash, api, scope, breached, ruled });
  },
};
