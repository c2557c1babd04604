import { mkdtempSync, rmSync, cpSync, appendFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { applyMigrations } from "./migrate.ts";

const dir = mkdtempSync(join(tmpdir(), "portcullis-migrate-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("applyMigrations (SQLite)", () => {
  it("creates the schema once and is a no-op afterwards", async () => {
    const url = `file:${join(dir, "a.db")}`;
    const first = await applyMigrations(url);
    expect(first.applied.length).toBeGreaterThan(0);
    const second = await applyMigrations(url);
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied).toBe(first.applied.length);
    const db = new Database(join(dir, "a.db"));
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type='table'").all() as {
      name: string;
    }[];
    db.close();
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining(["User", "Client", "RefreshToken", "LogEvent", "SigningKey"]),
    );
  });

  it("refuses to run when an applied migration was edited", async () => {
    const root = join(dir, "root");
    cpSync(join(process.cwd(), "prisma"), join(root, "prisma"), { recursive: true });
    const url = `file:${join(dir, "b.db")}`;
    await applyMigrations(url, root);
    const first = join(root, "prisma/sqlite/migrations/20261125000000_init/migration.sql");
    appendFileSync(first, "\n-- edited\n");
    await expect(applyMigrations(url, root)).rejects.toThrow(/edited after it was applied/);
  });
});
