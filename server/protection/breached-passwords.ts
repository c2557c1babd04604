import { createHash } from "node:crypto";
import { createReadStream, readFileSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { loadCommonPasswords } from "../auth/common-passwords.ts";

/**
 * Breached-password lookups, entirely local: passwords never leave the process. Sources: Auth0's test passwords
 * (any password starting with AUTH0-TEST-), a bundled list of ~49,000 commonly breached passwords (the
 * `passwords-common` dictionary of @zxcvbn-ts/language-common, MIT), and optionally a full corpus the operator
 * converted from a breach dump (for example Have I Been Pwned's SHA-1 download) into sorted 8-byte SHA-1
 * prefixes, searched by bisection: 8 bytes per password, false positives ≈ n / 2^64.
 */
export interface TBreachedPasswords {
  isBreached(password: string): Promise<boolean>;
  /** Number of passwords in the loaded corpus (0 without one). */
  readonly corpusSize: number;
}

/** Auth0's documented test passwords (contract §5.3). */
const TEST_PREFIX = "AUTH0-TEST-";
const TEST_PASSWORDS = new Set(["Paaf213XXYYZZ", "Paat739!!WWXXYYZZ"]);

const MAGIC = Buffer.from("PCBRPW01", "ascii");
const HEADER_BYTES = 16;

/** First 8 bytes of the password's SHA-1, as the sort key used by the corpus file. */
function sha1Prefix(password: string): bigint {
  return createHash("sha1").update(password, "utf8").digest().readBigUInt64BE(0);
}

function contains(sorted: BigUint64Array, value: bigint): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = sorted[mid]!;
    if (v === value) return true;
    if (v < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** Read a corpus file written by convertBreachCorpus. Throws a readable error for anything else. */
export function loadCorpusFile(path: string): BigUint64Array {
  const file = readFileSync(path);
  if (file.length < HEADER_BYTES || !file.subarray(0, 8).equals(MAGIC)) {
    throw new Error(
      `${path} is not a Portcullis breached-password corpus (convert it with \`portcullis breached-passwords convert\`).`,
    );
  }
  const count = Number(file.readBigUInt64LE(8));
  if (file.length !== HEADER_BYTES + count * 8) throw new Error(`${path} is truncated.`);
  const out = new BigUint64Array(count);
  for (let i = 0; i < count; i++) out[i] = file.readBigUInt64LE(HEADER_BYTES + i * 8);
  return out;
}

/** Build the checker; `corpusFile` is BREACHED_PASSWORDS_FILE. */
export function createBreachedPasswords(opts: { corpusFile?: string } = {}): TBreachedPasswords {
  const corpus = opts.corpusFile ? loadCorpusFile(opts.corpusFile) : new BigUint64Array(0);
  return {
    corpusSize: corpus.length,
    async isBreached(password) {
      if (password.startsWith(TEST_PREFIX) || TEST_PASSWORDS.has(password)) return true;
      if (corpus.length > 0 && contains(corpus, sha1Prefix(password))) return true;
      return (await loadCommonPasswords()).has(password.toLowerCase());
    },
  };
}

export type TConvertReport = { read: number; kept: number; skipped: number; written: number };

/**
 * Convert a breach dump into the compact corpus file. Input lines are `SHA1` or `SHA1:count` (40 hex digits, as
 * in Have I Been Pwned's downloads) or, with `isPlain`, one password per line. Hashes seen fewer than `minCount`
 * times are dropped (the full HIBP corpus is ~1 billion hashes, 8 GB in this form; `minCount` 10 keeps the
 * passwords attackers actually try). Blank and malformed lines are counted as skipped.
 */
export async function convertBreachCorpus(
  input: string,
  output: string,
  opts: { minCount?: number; isPlain?: boolean } = {},
): Promise<TConvertReport> {
  const minCount = opts.minCount ?? 1;
  let values = new BigUint64Array(1 << 16);
  let n = 0;
  let read = 0;
  let skipped = 0;
  const lines = createInterface({ input: createReadStream(input), crlfDelay: Infinity });
  for await (const raw of lines) {
    read++;
    let value: bigint;
    if (opts.isPlain) {
      if (raw.length === 0) {
        skipped++;
        continue;
      }
      value = sha1Prefix(raw);
    } else {
      const m = /^([0-9a-fA-F]{40})(?::(\d+))?\s*$/.exec(raw);
      if (!m) {
        skipped++;
        continue;
      }
      if (m[2] !== undefined && Number(m[2]) < minCount) continue;
      value = BigInt(`0x${m[1]!.slice(0, 16)}`);
    }
    if (n === values.length) {
      const bigger = new BigUint64Array(values.length * 2);
      bigger.set(values);
      values = bigger;
    }
    values[n++] = value;
  }
  const sorted = values.subarray(0, n).sort();
  let written = 0;
  for (let i = 0; i < sorted.length; i++)
    if (i === 0 || sorted[i] !== sorted[i - 1]) sorted[written++] = sorted[i]!;
  const out = Buffer.alloc(HEADER_BYTES + written * 8);
  MAGIC.copy(out, 0);
  out.writeBigUInt64LE(BigInt(written), 8);
  for (let i = 0; i < written; i++) out.writeBigUInt64LE(sorted[i]!, HEADER_BYTES + i * 8);
  writeFileSync(output, out);
  return { read, kept: n, skipped, written };
}
