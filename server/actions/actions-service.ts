import type { TSecretBox } from "../crypto/secret-box.ts";
import type { TSqlRunner } from "../store/raw-sql.ts";
import { findActionVersion } from "../store/action-versions.ts";
import { listActionSecretsSealed } from "../store/action-secrets.ts";
import { findAction } from "../store/actions.ts";
import { listFlowBindings } from "../store/flow-bindings.ts";

/** One bound action as a login runs it: the deployed version's code and the action's secrets. */
export type TBoundAction = {
  id: string;
  name: string;
  code: string;
  secrets: Record<string, string>;
};

export type TActionsSnapshot = { postLogin: TBoundAction[] };

/** A cache entry as actions see it (`api.cache.get`). */
export type TCacheRecord = { value: string; expires_at: number };

/** Entries per action kept by the host (Auth0's limit is 20 per cache). */
export const MAX_CACHE_ENTRIES = 20;
/** Actions whose caches are kept at most (least recently used dropped beyond it). */
const MAX_CACHED_ACTIONS = 1000;

/**
 * `api.cache`: per action, in this process's memory. Auth0 documents its cache as best effort ("items may not be
 * available in later transactions even if they are within their lifetime"); so is this one: a restart or another
 * server process starts empty.
 */
export interface TActionCache {
  /** The action's unexpired entries at `nowMs`. */
  entries(actionId: string, nowMs: number): Record<string, TCacheRecord>;
  set(actionId: string, key: string, record: TCacheRecord): void;
  delete(actionId: string, key: string): void;
  /** Drop an action's entries (it was deleted or its code changed). */
  drop(actionId: string): void;
}

export function createActionCache(): TActionCache {
  const caches = new Map<string, Map<string, TCacheRecord>>();
  const touch = (actionId: string): Map<string, TCacheRecord> => {
    let c = caches.get(actionId);
    if (c) caches.delete(actionId);
    else c = new Map();
    caches.set(actionId, c);
    if (caches.size > MAX_CACHED_ACTIONS) caches.delete(caches.keys().next().value!);
    return c;
  };
  return {
    entries(actionId, nowMs) {
      const c = caches.get(actionId);
      const out: Record<string, TCacheRecord> = {};
      if (!c) return out;
      for (const [k, r] of c) {
        if (r.expires_at <= nowMs) c.delete(k);
        else out[k] = { ...r };
      }
      return out;
    },
    set(actionId, key, record) {
      const c = touch(actionId);
      c.delete(key);
      c.set(key, { ...record });
      // Oldest first out when full.
      while (c.size > MAX_CACHE_ENTRIES) c.delete(c.keys().next().value!);
    },
    delete(actionId, key) {
      caches.get(actionId)?.delete(key);
    },
    drop(actionId) {
      caches.delete(actionId);
    },
  };
}

/** The bound, deployed actions plus their caches, so logins never query for them. */
export interface TActionsService {
  snapshot(): Promise<TActionsSnapshot>;
  cache: TActionCache;
  /** Drop the snapshot (after an admin change in this process). */
  clear(): void;
}

/** Like the rules: a change made through another process is in force within this time. */
export const ACTIONS_TTL_MS = 1000;

/** Build the actions service for one process. */
export function createActionsService(
  sql: TSqlRunner,
  box: TSecretBox,
  ttlMs = ACTIONS_TTL_MS,
): TActionsService {
  let cached: { at: number; value: Promise<TActionsSnapshot> } | null = null;
  async function load(): Promise<TActionsSnapshot> {
    const [bindings, sealed] = await Promise.all([
      listFlowBindings(sql, "post-login"),
      listActionSecretsSealed(sql),
    ]);
    const postLogin: TBoundAction[] = [];
    for (const b of bindings) {
      const action = await findAction(sql, b.actionId);
      // Only deployed actions can be bound; one whose deployed version vanished runs nothing rather than a draft.
      if (!action || action.deployedVersion === null) continue;
      const version = await findActionVersion(sql, action.id, action.deployedVersion);
      if (!version) continue;
      const secrets: Record<string, string> = {};
      for (const s of sealed)
        if (s.actionId === action.id) secrets[s.name] = box.open("action-secret", s.valueEnc);
      postLogin.push({ id: action.id, name: action.name, code: version.code, secrets });
    }
    return { postLogin };
  }
  return {
    cache: createActionCache(),
    snapshot() {
      const now = Date.now();
      if (cached && now - cached.at < ttlMs) return cached.value;
      const value = load();
      const entry = { at: now, value };
      cached = entry;
      value.catch(() => {
        if (cached === entry) cached = null;
      });
      return value;
    },
    clear() {
      cached = null;
    },
  };
}
