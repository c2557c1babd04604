// The rules isolate's own globals, for type-checking environment.js and pipeline.js only (rules-runtime/sandbox/tsconfig.json; the
// project's tsconfig excludes this folder, so none of this leaks into host code). The isolate has the ECMAScript
// built-ins and nothing else: no DOM, no Node.js.

// Set by the host (runner) in a fresh context before the bootstrap runs; the bootstrap captures and deletes them.
/** The run input as JSON. */
declare var __pc_in: string;
/** Memory shared with the host: which rule runs since when, and the result (layout in shared-progress.ts). */
declare var __pc_progress: SharedArrayBuffer;
/** Capability: wake the pending call `id` (through `__pc_settle`) after `ms` milliseconds. */
declare var __pc_sleep: (id: number, ms: number) => void;
/** Capability: perform the fetch described by `request` (JSON) and answer call `id` through `__pc_settle`. */
declare var __pc_fetch: (id: number, request: string) => void;
/** Capability: the run's result as JSON, when it does not fit in the shared block. */
declare var __pc_done: (text: string) => void;
/** Defined by the bootstrap: how the host answers an asynchronous capability call. */
declare var __pc_settle: (id: number, text: string) => void;
/** Deleted by the bootstrap (not in the ES2020 library, but V8 has it). */
declare var WebAssembly: unknown;

// Installed by the bootstrap for rules (Auth0's rule environment). Their shape is the bootstrap's to define and
// their arguments come from rule code, so the bootstrap checks them itself; here they are only names.
declare var console: unknown;
declare var setTimeout: unknown;
declare var setInterval: unknown;
declare var setImmediate: unknown;
declare var clearTimeout: unknown;
declare var clearInterval: unknown;
declare var clearImmediate: unknown;
declare var auth0: unknown;
declare var configuration: unknown;
declare var fetch: unknown;
declare var global: unknown;
declare var require: unknown;

/** The bootstrap writes descriptors as null-prototype literals, so no getter a rule adds to Object.prototype applies. */
interface PropertyDescriptor {
  __proto__?: null;
}

/** `require` of an unknown module throws an Error with Node's `code`. */
interface Error {
  code?: string;
}
