// The rules sandbox: self-contained (imports nothing from server/ or app/), on isolated-vm behind one interface,
// so a worker or a separate process can replace it without touching call sites.
export { createRulesRunner } from "./runner.ts";
export { isHostAllowed } from "./fetch-capability.ts";
export * from "./types.ts";
