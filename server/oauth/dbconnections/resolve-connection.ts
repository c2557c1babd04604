import type { TDeps } from "../../config/deps.ts";
import type { TClientRecord } from "../../store/clients.ts";
import type { TConnectionRecord } from "../../store/connections.ts";
import type { TLogEvent } from "../../audit/events.ts";
import { InvalidRequest } from "../core/errors.ts";
import { CONNECTION_DISABLED, missingParameter } from "./errors.ts";

/** The audit fields every /dbconnections record carries, filled in as the request is understood. */
export type TDbAudit = Omit<TLogEvent, "type" | "description">;

/**
 * The client and database connection a /dbconnections request names. An unknown client, an unknown connection,
 * a connection that is not a database connection and one not enabled for the client all answer 400
 * `invalid_request` "the connection was disabled" (Auth0's text for a disabled connection; one answer for all
 * four, so the request cannot probe which connections exist).
 */
export async function resolveDbConnection(
  deps: TDeps,
  params: Record<string, string>,
  audit: TDbAudit,
): Promise<{ client: TClientRecord; connection: TConnectionRecord }> {
  const clientId = params.client_id;
  if (!clientId) throw missingParameter("client_id");
  audit.client_id = clientId.slice(0, 200);
  const name = params.connection;
  if (!name) throw missingParameter("connection");
  audit.connection = name.slice(0, 200);
  const client = await deps.config.client(clientId);
  if (client) audit.client_name = client.name;
  const connection = await deps.config.connection(name);
  if (
    !client ||
    !connection ||
    connection.strategy !== "auth0" ||
    !client.connectionIds.includes(connection.id)
  ) {
    throw new InvalidRequest(CONNECTION_DISABLED);
  }
  audit.connection_id = connection.connectionId;
  audit.strategy = connection.strategy;
  return { client, connection };
}
