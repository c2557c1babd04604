// A Portcullis server process for multi-process and shutdown tests: the real composition root, HTTP server
// (token endpoint, health, metrics, access log) and graceful shutdown, with the app's route handlers (admin API,
// JWKS, …) answered without a Next.js build (app-routes.ts). Prints "listening <port>" once ready.
// Configuration from the environment; it listens on a free loopback port.
import type { AddressInfo } from "node:net";
import { createDeps, setDeps } from "../config/deps.ts";
import { parseEnv } from "../platform/env.ts";
import { createHttpServer } from "../http/serve.ts";
import { installGracefulShutdown } from "../http/graceful-shutdown.ts";
import { startRetentionJob } from "../ops/retention-job.ts";
import { createAppRouteHandler } from "./app-routes.ts";

const deps = await createDeps(parseEnv());
setDeps(deps);
const server = createHttpServer(deps, createAppRouteHandler());
const retention = startRetentionJob(deps);
installGracefulShutdown(server, {
  log: deps.log,
  onClosed: async () => {
    await retention.stop();
    await deps.close();
  },
});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
