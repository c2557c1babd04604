import { parseArgs } from "node:util";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { TDeps } from "../server/config/deps.ts";
import { importUsers } from "../server/tenant/import-users.ts";
import { deleteUser } from "../server/admin/delete-user.ts";
import { CLI_ACTOR } from "../server/admin/audit.ts";
import { AdminError } from "../server/admin/admin-error.ts";
import { findConnectionByName } from "../server/store/connections.ts";
import { searchUsers } from "../server/store/users.ts";

export const USERS_USAGE = `  users import --connection <name> <users.json> [--upsert]
                                          import users in Auth0's bulk import format
  users delete <user_id|email|username> [--connection <name>]
                                          delete a user with its refresh tokens, MFA authenticators and blocks`;

type TCliContext = { openDeps: () => Promise<TDeps>; fail: (message: string) => never };

/** `portcullis users import|delete …`. */
export async function runUsersCommand(args: string[], { openDeps, fail }: TCliContext): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    options: { connection: { type: "string" }, upsert: { type: "boolean", default: false } },
    allowPositionals: true,
  });
  const [sub, target] = positionals;
  if (sub !== "import" && sub !== "delete")
    fail("usage: portcullis users import --connection <name> <users.json> | users delete <user_id|email>");
  const deps = await openDeps();
  try {
    if (sub === "import") {
      const file = target ?? fail("users import needs a JSON file");
      const connection = values.connection ?? fail("users import needs --connection <name>");
      const r = await importUsers(deps, connection, readFileSync(resolve(file), "utf8"), {
        upsert: values.upsert,
      });
      console.log(`Imported ${r.imported} user(s) into ${connection}.`);
      for (const e of r.errors) console.log(`  record ${e.index}: ${e.reason}`);
      if (r.errors.length > 0) process.exitCode = 1;
      return;
    }
    const who = target ?? fail("users delete needs a user id, email or username");
    const userId = await resolveUserId(deps, who, values.connection, fail);
    try {
      const r = await deleteUser(deps, CLI_ACTOR, userId);
      console.log(
        `Deleted ${r.user_id}: ${r.revoked_refresh_tokens} refresh token(s), ${r.removed_authenticators} MFA authenticator(s), ${r.released_blocks} brute-force counter(s) removed.`,
      );
    } catch (err) {
      if (err instanceof AdminError) fail(err.message);
      throw err;
    }
  } finally {
    await deps.close();
  }
}

/** The user id `who` names: a user id as is, or the one user (of `connection`, if given) with that email or username. */
async function resolveUserId(
  deps: TDeps,
  who: string,
  connectionName: string | undefined,
  fail: (message: string) => never,
): Promise<string> {
  const connection = connectionName ? await findConnectionByName(deps.db, connectionName) : null;
  if (connectionName && !connection) fail(`no connection named ${connectionName}`);
  const found = await searchUsers(deps.db, { text: who, connectionId: connection?.id, take: 100 });
  const lower = who.toLowerCase();
  const exact = found.filter((u) => u.userId === who || u.email === lower || u.username === who);
  if (exact.length === 0) fail(`no user ${who}${connectionName ? ` in ${connectionName}` : ""}`);
  if (exact.length > 1)
    fail(
      `${who} names users in several connections (${exact.map((u) => u.connectionName).join(", ")}): add --connection <name>`,
    );
  return exact[0]!.userId;
}
