import { PrismaClient } from "../../generated/sqlite/client.ts";
import { setPrismaKind } from "./prisma-bridge.ts";

/** The Prisma client type. Both generated clients share model APIs; the SQLite one is the declared type. */
export type TDb = PrismaClient;
/** A client or an interactive-transaction client. */
export type TTx = Omit<TDb, "$connect" | "$disconnect" | "$on" | "$transaction" | "$extends">;

/**
 * Open the database named by `url`: a `file:` URL uses better-sqlite3 (WAL, busy timeout), a postgres:// URL the
 * pg adapter. The PostgreSQL client is imported only when used.
 */
export async function openDb(url: string): Promise<TDb> {
  setPrismaKind(url.startsWith("file:") ? "sqlite" : "postgres");
  if (url.startsWith("file:")) {
    const { PrismaBetterSQLite3 } = await import("@prisma/adapter-better-sqlite3");
    const db = new PrismaClient({ adapter: new PrismaBetterSQLite3({ url, timeout: 10_000 }) });
    // WAL lets readers proceed during a write; NORMAL sync is durable across application crashes in WAL mode.
    await db.$queryRawUnsafe("PRAGMA journal_mode = WAL");
    await db.$executeRawUnsafe("PRAGMA synchronous = NORMAL");
    await db.$executeRawUnsafe("PRAGMA foreign_keys = ON");
    return db;
  }
  const { PrismaPg } = await import("@prisma/adapter-pg");
  const pg = await import("../../generated/postgres/client.ts");
  const db = new pg.PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 10 }) });
  return db as unknown as TDb;
}
