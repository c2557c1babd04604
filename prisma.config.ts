// Prisma CLI configuration (generate, migrate diff). DB_PROVIDER=postgresql switches to the generated PostgreSQL
// schema. The JS schema engine with a driver adapter keeps the CLI offline: the classic engine would try to
// download a binary (stack-notes.md). At run time migrations are applied by server/store/migrate.ts.
import { defineConfig } from "prisma/config";

const isPostgres = process.env.DB_PROVIDER === "postgresql";

export default defineConfig({
  experimental: { adapter: true },
  schema: isPostgres ? "prisma/postgres/schema.prisma" : "prisma/sqlite/schema.prisma",
  migrations: { path: isPostgres ? "prisma/postgres/migrations" : "prisma/sqlite/migrations" },
  engine: "js",
  async adapter() {
    if (isPostgres) {
      const { PrismaPg } = await import("@prisma/adapter-pg");
      return new PrismaPg({
        connectionString: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres",
        allowExitOnIdle: true,
      });
    }
    const { PrismaBetterSQLite3 } = await import("@prisma/adapter-better-sqlite3");
    return new PrismaBetterSQLite3({ url: ":memory:" });
  },
});
