#!/usr/bin/env node
// Entry point of `npx portcullis` and `npm start`: runs cli/main.ts through tsx with the flags isolated-vm needs
// (--no-node-snapshot), forwarding signals so the server can shut down gracefully. On a Node.js older than
// `engines.node` it stops at once with one line (require-node.mjs, imported first).
import "./require-node.mjs";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const main = fileURLToPath(new URL("../cli/main.ts", import.meta.url));
const tsx = import.meta.resolve("tsx");
// PORTCULLIS_NODE_ARGS: extra Node flags for the server process (e.g. `--max-old-space-size=256`, `--cpu-prof`).
const extra = (process.env.PORTCULLIS_NODE_ARGS ?? "").split(/\s+/).filter(Boolean);
// --heap-growing-percent=100: after a full GC, V8 lets the heap grow to twice what survived before the next one,
// not up to four times (its default under load). Peak RSS in the bench fell from 313–405 MB to 288–305 MB with no
// measurable cost in logins or refresh grants; unlike --max-old-space-size it is not a limit that can crash the
// process. A later flag in PORTCULLIS_NODE_ARGS overrides it.
const child = spawn(
  process.execPath,
  [
    "--no-node-snapshot",
    "--heap-growing-percent=100",
    ...extra,
    "--import",
    tsx,
    main,
    ...process.argv.slice(2),
  ],
  {
    stdio: "inherit",
    // MALLOC_ARENA_MAX: glibc gives each thread that allocates its own malloc arena and keeps what it freed there.
    // Every libuv thread runs Argon2 hashes (12 MiB each), so eight threads held ~100 MB that no hash was using;
    // two arenas cut the server's peak RSS under load by ~85 MB with no measurable cost (docs/benchmarks.md).
    env: { UV_THREADPOOL_SIZE: "8", MALLOC_ARENA_MAX: "2", ...process.env },
  },
);
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
