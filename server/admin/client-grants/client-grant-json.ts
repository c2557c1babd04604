import type { TClientGrantRecord } from "../../store/client-grants.ts";

/** A client grant in Auth0's Management API shape (`client_id` is the client's public id). */
export type TClientGrantJson = { id: string; client_id: string; audience: string; scope: string[] };

export function clientGrantJson(g: TClientGrantRecord): TClientGrantJson {
  return { id: g.id, client_id: g.clientPublicId, audience: g.audience, scope: g.scope };
}
