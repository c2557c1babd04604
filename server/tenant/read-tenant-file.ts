import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { formatIssuePath, formatProblem, zodProblems, type TProblem } from "../platform/zod-issues.ts";
import { ZTenantFile, type TTenantFile } from "./tenant-schema.ts";

export type { TProblem };

/** The error of a file that fails any check: every problem on its own line; nothing was written. */
export function invalidFile(problems: TProblem[]): Error {
  const lines = problems.map((p) => `  ${formatProblem(p)}`);
  return new Error(`Invalid tenant file (nothing was changed):\n${lines.join("\n")}`);
}

/** Each value seen before, with the index of its first repetition. */
export function findDuplicates(values: string[]): Map<string, number> {
  const seen = new Set<string>();
  const dups = new Map<string, number>();
  values.forEach((v, i) => {
    if (seen.has(v) && !dups.has(v)) dups.set(v, i);
    seen.add(v);
  });
  return dups;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function unwrapSchema(schema: z.ZodType): z.ZodType {
  let s = schema;
  while (s instanceof z.ZodOptional || s instanceof z.ZodNullable || s instanceof z.ZodDefault)
    s = s.unwrap() as z.ZodType;
  return s;
}

/**
 * Paths of keys in `value` that `schema` does not declare. Zod strips them silently; a tenant file must never
 * lose settings without saying so. Records (metadata, options) are free-form and not descended into.
 */
function collectUnknownFields(schema: z.ZodType, value: unknown, path: PropertyKey[], out: string[]): void {
  const s = unwrapSchema(schema);
  if (s instanceof z.ZodObject) {
    if (!isPlainObject(value)) return;
    const shape = s.shape as Record<string, z.ZodType>;
    for (const [key, v] of Object.entries(value)) {
      const child = Object.hasOwn(shape, key) ? shape[key] : undefined;
      if (child) collectUnknownFields(child, v, [...path, key], out);
      else out.push(formatIssuePath([...path, key]));
    }
  } else if (s instanceof z.ZodArray) {
    if (!Array.isArray(value)) return;
    const element = s.element as z.ZodType;
    value.forEach((v, i) => collectUnknownFields(element, v, [...path, i], out));
  }
}

function parseTenantYaml(text: string): unknown {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new Error(
      `Invalid tenant file (nothing was changed): ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  // An empty file is an empty tenant description, not an error.
  if (raw === null || raw === undefined) return {};
  if (!isPlainObject(raw))
    throw invalidFile([{ path: "", message: "must be a mapping of sections (tenant, clients, …)" }]);
  return raw;
}

/**
 * Parse a tenant file's YAML and check it against the schema. Returns the parsed file and the paths of keys
 * Portcullis does not support (reported, never silently dropped); throws listing every schema problem.
 */
export function readTenantFile(text: string): { file: TTenantFile; unsupported: string[] } {
  const raw = parseTenantYaml(text);
  const parsed = ZTenantFile.safeParse(raw);
  if (!parsed.success) throw invalidFile(zodProblems(parsed.error));
  const unsupported: string[] = [];
  collectUnknownFields(ZTenantFile, raw, [], unsupported);
  return { file: parsed.data, unsupported };
}
