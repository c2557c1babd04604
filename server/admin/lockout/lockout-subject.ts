import type { TUserRecord } from "../../store/users.ts";
import { normalizeIdentifier } from "../../protection/brute-force.ts";

/** The user being explained, with what the cause finders look them up by. */
export type TLockoutSubject = {
  user: TUserRecord;
  /** Normalized identifiers the brute-force counters are kept under (email, username). */
  identifiers: string[];
  /** Names a refused attempt's record may carry (the identifiers as stored and normalized). */
  userNames: string[];
  connectionName: string;
  now: Date;
};

/** Build the subject of an explanation. */
export function lockoutSubject(user: TUserRecord, connectionName: string, now: Date): TLockoutSubject {
  const stored = [user.email, user.username].filter((v): v is string => Boolean(v));
  const identifiers = [...new Set(stored.map(normalizeIdentifier))];
  return { user, identifiers, userNames: [...new Set([...stored, ...identifiers])], connectionName, now };
}
