import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { parseEnv, type TEnv } from "../platform/env.ts";
import { systemClock, type TClock } from "../platform/clock.ts";
import { openRawSql, type TRawSql } from "../store/raw-sql.ts";
import { createPasswordHasher, type TPasswordHasher } from "../auth/passwords.ts";
import { createSecretBox, type TSecretBox } from "../crypto/secret-box.ts";
import { createKeyStore, type TKeyStore } from "../auth/signing-keys.ts";
import { createConfigCache, type TConfigCache } from "../oauth/core/config-cache.ts";
import { createBreachedPasswords, type TBreachedPasswords } from "../protection/breached-passwords.ts";
import { createUnblockLinks, type TUnblockLinks } from "../protection/unblock-link.ts";
import { createNotifier, type TNotifier } from "../notifications/notifier.ts";
import { createRulesService, type TRulesService } from "../rules/rules-service.ts";
import { createActionsService, type TActionsService } from "../actions/actions-service.ts";
import { createMetrics, type TMetrics } from "../platform/metrics.ts";
import { errorMessage, getProcessLogger, type TLogger } from "../platform/logger.ts";
import { listPasswordHashKinds } from "../store/users.ts";
import { listAdminPasswordHashes } from "../store/admin-users.ts";
import { ensureManagementApi } from "../management/management-api.ts";

/** Everything the domain needs, built once (house rule: one composition root). */
export type TDeps = {
  env: TEnv;
  /**
   * The database: plain SQL through one runner per dialect (server/store/raw-sql.ts). Store modules take it (or a
   * transaction of it, `deps.db.transaction(tx => …)`) as their first argument; nothing else touches SQL.
   */
  db: TRawSql;
  clock: TClock;
  hasher: TPasswordHasher;
  box: TSecretBox;
  keys: TKeyStore;
  config: TConfigCache;
  protection: { breached: TBreachedPasswords; unblockLinks: TUnblockLinks };
  notifier: TNotifier;
  /** Rules: the sandbox runner and the cached enabled rules. */
  rules: TRulesService;
  /** Actions: the bound post-login actions (cached) and their api.cache; they run on the rules runner. */
  actions: TActionsService;
  /** Structured JSON log (pino); never secrets, passwords, tokens or request bodies. */
  log: TLogger;
  /** This process's Prometheus metrics (GET /metrics); observe/inc only on the hot path. */
  metrics: TMetrics;
  close(): Promise<void>;
};

/** Read the master key from PORTCULLIS_MASTER_KEY or its key file, creating the file (mode 0600) on first start. */
export function loadMasterKey(
  env: TEnv,
  log: (msg: string) => void = (msg) => getProcessLogger(env).warn(msg),
): Buffer {
  const decode = (text: string): Buffer => {
    const t = text.trim();
    const buf = /^[0-9a-f]{64}$/i.test(t) ? Buffer.from(t, "hex") : Buffer.from(t, "base64");
    if (buf.length !== 32) throw new Error("The master key must be 32 bytes (64 hex characters or base64).");
    return buf;
  };
  if (env.PORTCULLIS_MASTER_KEY) return decode(env.PORTCULLIS_MASTER_KEY);
  const file = env.PORTCULLIS_MASTER_KEY_FILE;
  if (existsSync(file)) return decode(readFileSync(file, "utf8"));
  const key = randomBytes(32);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, key.toString("base64") + "\n", { mode: 0o600, flag: "wx" });
  log(
    `[portcullis] Generated a master key at ${file}. Back it up: without it, stored secrets cannot be read. ` +
      `Several servers on one database must share it (set PORTCULLIS_MASTER_KEY).`,
  );
  return key;
}

/** Build the dependency graph for one process. */
export async function createDeps(
  env: TEnv = parseEnv(),
  overrides: Partial<Pick<TDeps, "clock" | "db" | "log">> & { masterKey?: Buffer } = {},
): Promise<TDeps> {
  const clock = overrides.clock ?? systemClock;
  const log = overrides.log ?? getProcessLogger(env);
  const metrics = createMetrics();
  const db = overrides.db ?? (await openRawSql(env, log));
  const masterKey = overrides.masterKey ?? loadMasterKey(env);
  const box = createSecretBox(masterKey);
  // Each computation is timed into `portcullis_password_hash_duration_seconds`.
  const hasher = createPasswordHasher(
    {
      memoryKiB: env.ARGON2_MEMORY_KIB,
      iterations: env.ARGON2_ITERATIONS,
      parallelism: env.ARGON2_PARALLELISM,
    },
    undefined,
    (operation, seconds) => metrics.passwordHash(operation, seconds),
  );
  // In the background: the failure floor must cover the costliest kind of stored hash (bcrypt imports, older
  // Argon2 parameters) before an attacker's first guess at such an account, not after.
  const learning = learnStoredHashKinds(hasher, db).catch((err: unknown) =>
    log.warn({ err: errorMessage(err) }, "could not read the stored password hash kinds"),
  );
  // The built-in Management API (/api/v2) follows PUBLIC_URL; one upsert that changes nothing on most starts.
  await ensureManagementApi(db, env.PUBLIC_URL, clock.now(), log);
  const keys = createKeyStore(db, box, clock);
  const config = createConfigCache(db);
  const protection = {
    breached: createBreachedPasswords({ corpusFile: env.BREACHED_PASSWORDS_FILE }),
    unblockLinks: createUnblockLinks(masterKey),
  };
  const notifier = await createNotifier(env, db, clock, log);
  const rules = createRulesService(db, box, env);
  const actions = createActionsService(db, box);
  return {
    env,
    db,
    clock,
    hasher,
    box,
    keys,
    config,
    protection,
    rules,
    actions,
    notifier,
    log,
    metrics,
    close: async () => {
      await learning;
      rules.dispose();
      await notifier.flush();
      await db.close();
    },
  };
}

async function learnStoredHashKinds(hasher: TPasswordHasher, sql: TRawSql): Promise<void> {
  const kinds = [...(await listPasswordHashKinds(sql)), ...(await listAdminPasswordHashes(sql))];
  await hasher.learnStoredHashKinds(kinds);
}

const GLOBAL_KEY = Symbol.for("portcullis.deps");
type TGlobal = typeof globalThis & { [GLOBAL_KEY]?: Promise<TDeps> };

/**
 * The process-wide dependencies. Shared through globalThis so the HTTP server and the Next.js bundles (separate
 * module graphs in one process) use one database handle and one key cache.
 */
export function getDeps(): Promise<TDeps> {
  const g = globalThis as TGlobal;
  g[GLOBAL_KEY] ??= createDeps();
  return g[GLOBAL_KEY];
}

/** Install already-built dependencies as the process-wide ones. */
export function setDeps(deps: TDeps): void {
  (globalThis as TGlobal)[GLOBAL_KEY] = Promise.resolve(deps);
}
