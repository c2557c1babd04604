import type { TDeps } from "../config/deps.ts";
import { jsonResponse } from "./core/request.ts";

/** GET /.well-known/jwks.json: current and previous public keys. */
export async function handleJwks(deps: TDeps): Promise<Response> {
  return jsonResponse(200, await deps.keys.jwks(), { "cache-control": "public, max-age=60" });
}
