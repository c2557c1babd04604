import { spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

// Pieces the benchmarks share: percentiles, /proc reads, waiting for a server, running with --no-node-snapshot.

/**
 * isolated-vm needs --no-node-snapshot on Node 20+: when the process runs without it, run the benchmark (the
 * module at `moduleUrl`, its import.meta.url) again with it and exit with that run's status.
 */
export function rerunWithoutNodeSnapshot(moduleUrl: string): void {
  if (
    process.execArgv.includes("--no-node-snapshot") ||
    process.env.NODE_OPTIONS?.includes("no-node-snapshot")
  )
    return;
  const r = spawnSync(
    process.execPath,
    ["--no-node-snapshot", "--import", "tsx", fileURLToPath(moduleUrl), ...process.argv.slice(2)],
    { stdio: "inherit" },
  );
  process.exit(r.status ?? 1);
}

/** The p-th percentile of an ascending list (NaN when empty). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** A /proc file's text, or "" once the process or thread is gone. */
export function readProc(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

export function childPids(pid: number): number[] {
  return readProc(`/proc/${pid}/task/${pid}/children`).split(" ").filter(Boolean).map(Number);
}

/** The server process: the wrapper (bin/portcullis.mjs) spawns it. */
export function serverPid(wrapperPid: number): number {
  return childPids(wrapperPid)[0] ?? wrapperPid;
}

/** Wait (up to 4 minutes: the first start may build the web app) until the server at `base` answers. */
export async function waitReady(child: ChildProcess, base: string): Promise<void> {
  const deadline = Date.now() + 240_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${base}/.well-known/openid-configuration`)).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error("server did not become ready");
}
