/** A zod issue's path as the tenant file spells it: `["clients", 2, "name"]` → `clients[2].name`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || "(root)";
}
