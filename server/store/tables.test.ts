import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STORE_TABLES } from "./tables.ts";
import { createTestDeps, testDatabaseKinds, type TTestDeps } from "../testing/test-deps.ts";

const SCALARS = new Set([
  "String",
  "Int",
  "BigInt",
  "Float",
  "Decimal",
  "Boolean",
  "DateTime",
  "Json",
  "Bytes",
]);

/** Each Prisma model's scalar fields (the table's columns), in schema order, read from the schema file. */
function readPrismaModels(kind: "sqlite" | "postgres"): Map<string, string[]> {
  const text = readFileSync(join(process.cwd(), "prisma", kind, "schema.prisma"), "utf8");
  const models = new Map<string, string[]>();
  for (const m of text.matchAll(/^model\s+(\w+)\s*\{([\s\S]*?)^\}/gm)) {
    const fields: string[] = [];
    for (const line of m[2]!.split("\n")) {
      const f = /^\s*(\w+)\s+(\w+)(\?|\[\])?/.exec(line);
      if (f && !line.trim().startsWith("@@") && !line.trim().startsWith("//") && SCALARS.has(f[2]!))
        fields.push(f[1]!);
    }
    models.set(m[1]!, fields);
  }
  return models;
}

describe("store column lists", () => {
  it("name every column of every Prisma model, in schema order, and no other", () => {
    const models = readPrismaModels("sqlite");
    expect([...Object.keys(STORE_TABLES)].sort()).toEqual([...models.keys()].sort());
    for (const [model, columns] of models)
      expect([model, [...STORE_TABLES[model as keyof typeof STORE_TABLES]]]).toEqual([model, columns]);
  });
  it("match the PostgreSQL schema too", () => {
    const models = readPrismaModels("postgres");
    for (const [model, columns] of models)
      expect([model, [...STORE_TABLES[model as keyof typeof STORE_TABLES]]]).toEqual([model, columns]);
  });
});

for (const kind of testDatabaseKinds()) {
  describe(`store column lists against the migrated ${kind} database`, () => {
    let deps: TTestDeps;
    beforeAll(async () => {
      deps = await createTestDeps(kind);
    });
    afterAll(async () => deps.cleanup());
    it("every listed column exists in its table, and every table column is listed", async () => {
      for (const [table, columns] of Object.entries(STORE_TABLES)) {
        const rows =
          kind === "sqlite"
            ? await deps.db.all<{ name: string }>(`SELECT "name" FROM pragma_table_info(?)`, [table])
            : await deps.db.all<{ name: string }>(
                `SELECT column_name AS "name" FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?`,
                [table],
              );
        expect([table, rows.map((r) => r.name).sort()]).toEqual([table, [...columns].sort()]);
      }
    });
  });
}
