// Imported first by bin/portcullis.mjs (npm start, npx portcullis) and scripts/test-all.mjs (npm test): on a Node.js
// older than package.json's `engines.node` they stop at once with one line, before anything loads the native modules
// (isolated-vm 6 has no build for Node 20 and would die with a linker or V8 error instead).
// Plain JavaScript with no imports beyond node:, so it runs on any Node that can parse ESM.
import { readFileSync } from "node:fs";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
/** `engines.node` is ">=MAJOR.MINOR[.PATCH]"; keep it that simple so this check stays a comparison. */
const range = String(pkg.engines?.node ?? "");
const min = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(range);
if (!min) throw new Error(`package.json engines.node must read ">=X.Y", not "${range}"`);
const want = [Number(min[1]), Number(min[2] ?? 0), Number(min[3] ?? 0)];
const have = process.versions.node.split(".").map(Number);
let older = false;
for (let i = 0; i < 3; i++) {
  if (have[i] !== want[i]) {
    older = (have[i] ?? 0) < want[i];
    break;
  }
}
if (older) {
  console.error(
    `Portcullis needs Node.js ${range.replace(">=", "").trim()} or newer (24 LTS recommended, see .nvmrc); this is Node.js ${process.version}.`,
  );
  process.exit(1);
}
