import type { TTx } from "./db.ts";
import { sqliteDate, type TSqlRunner, type TSqlValue } from "./raw-sql.ts";

// TEMPORARY, while the store moves off Prisma Client (issue 15): lets a query written for TSqlRunner run inside a
// Prisma interactive transaction that has not been converted yet. Deleted when the last Prisma query goes.

let prismaKind: "sqlite" | "postgres" = "sqlite";

/** Called by openDb: which dialect the process's Prisma client speaks. */
export function setPrismaKind(kind: "sqlite" | "postgres"): void {
  prismaKind = kind;
}

/** A TSqlRunner over a Prisma client or interactive transaction (statements run in it). */
export function sqlOf(tx: TTx): TSqlRunner {
  // The client knows its own dialect; the process-wide one is wrong when a process holds clients of both (tests).
  const provider = (tx as { _activeProvider?: unknown })._activeProvider;
  const kind = provider === "postgresql" ? "postgres" : provider === "sqlite" ? "sqlite" : prismaKind;
  const bind = (params: TSqlValue[]) =>
    params.map((p) =>
      kind === "sqlite" ? (p instanceof Date ? sqliteDate(p) : typeof p === "boolean" ? (p ? 1 : 0) : p) : p,
    );
  const text = (sql: string) => {
    if (kind === "sqlite") return sql;
    let i = 0;
    return sql.replace(/\?/g, () => `$${++i}`);
  };
  const q: TSqlRunner = {
    kind,
    all: async <T>(sql: string, params: TSqlValue[] = []) =>
      (await tx.$queryRawUnsafe(text(sql), ...bind(params))) as T[],
    run: async (sql: string, params: TSqlValue[] = []) => Number(await tx.$executeRawUnsafe(text(sql), ...bind(params))),
    transaction: (fn) => fn(q),
  };
  return q;
}
