// A bare Portcullis token server for multi-process tests: the real composition root and HTTP server, without
// Next.js (only /oauth/token is served). Prints "listening <port>" once ready. Configuration from the environment.
import type { AddressInfo } from "node:net";
import { createDeps } from "../config/deps.ts";
import { parseEnv } from "../config/env.ts";
import { createHttpServer } from "../http/serve.ts";

const deps = await createDeps(parseEnv());
const server = createHttpServer(deps, async (_req, res) => {
  res.writeHead(404).end();
});
server.listen(0, "127.0.0.1", () => {
  console.log(`listening ${(server.address() as AddressInfo).port}`);
});
process.on("SIGTERM", () => {
  server.close(() => void deps.close().finally(() => process.exit(0)));
});
