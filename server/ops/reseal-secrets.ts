import type { TDeps } from "../config/deps.ts";
import type { TSealPurpose } from "../crypto/secret-box.ts";
import {
  SEALED_COLUMN_NAMES,
  listSealedValues,
  lockSealedValues,
  replaceSealedValue,
  type TSealedColumn,
} from "../store/sealed-secrets.ts";

/** The purpose each stored column is sealed for. */
const PURPOSE_OF = {
  clientSecret: "client-secret",
  apiSigningSecret: "api-signing-secret",
  signingKey: "signing-key",
  adminTotpSeed: "admin-totp-seed",
  userTotpSeed: "user-totp-seed",
  ruleSetting: "rule-setting",
} as const satisfies Record<TSealedColumn, TSealPurpose>;

const BATCH = 200;

export type TResealResult = {
  /** Values rewritten in the current format, per column. */
  resealed: Partial<Record<TSealedColumn, number>>;
  /** v1 values that did not open (damaged, or sealed with another master key): left as they are. */
  unreadable: number;
};

/**
 * Re-seal every stored v1 secret-box value (one master key, no purpose) as v2 (per-purpose subkey and AAD). Run at
 * start; idempotent: once done it only reads. Each batch is one transaction that rewrites a value only if it is
 * still the one read (compare-and-set), so a secret rotated meanwhile is kept, and several processes starting at
 * once on one PostgreSQL database queue on an advisory lock and find nothing left to do. A value that does not
 * open is never rewritten.
 */
export async function resealSecrets(deps: Pick<TDeps, "db" | "box" | "log">): Promise<TResealResult> {
  const result: TResealResult = { resealed: {}, unreadable: 0 };
  for (const c of SEALED_COLUMN_NAMES) {
    const purpose = PURPOSE_OF[c];
    let after = "";
    for (;;) {
      const batch = await deps.db.transaction(async (q) => {
        await lockSealedValues(q, deps.db.kind);
        const rows = await listSealedValues(q, c, "v1.", after, BATCH);
        let resealed = 0;
        for (const row of rows) {
          let plain: string;
          try {
            plain = deps.box.open(purpose, row.value);
          } catch {
            result.unreadable++;
            continue;
          }
          if (await replaceSealedValue(q, c, row.key, row.value, deps.box.seal(purpose, plain))) resealed++;
        }
        return { last: rows.at(-1)?.key, count: rows.length, resealed };
      });
      if (batch.resealed) result.resealed[c] = (result.resealed[c] ?? 0) + batch.resealed;
      if (batch.count < BATCH || batch.last === undefined) break;
      after = batch.last;
    }
  }
  if (Object.keys(result.resealed).length || result.unreadable) {
    deps.log.info(result, "re-sealed stored secrets with per-purpose keys");
  }
  if (result.unreadable) {
    deps.log.warn(
      { unreadable: result.unreadable },
      "some stored secrets do not open with this master key and were left as they are",
    );
  }
  return result;
}
