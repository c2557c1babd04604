import { describe, expect, it } from "vitest";
import { LOG_TYPES, type TLogType } from "./events.ts";
import {
  LOG_CATALOG,
  LOG_CATEGORIES,
  describeLogType,
  groupLogTypes,
  type TLogTypeInfo,
} from "./log-catalog.ts";

// A new event type cannot be added to LOG_TYPES without its name: this assignment stops compiling, and the test
// below fails, until the catalogue has an entry for it.
const covered: Record<TLogType, Omit<TLogTypeInfo, "code">> = LOG_CATALOG;

describe("log event catalogue", () => {
  it("names and describes every event type Portcullis writes, and nothing else", () => {
    expect(Object.keys(LOG_CATALOG).sort()).toEqual(Object.keys(LOG_TYPES).sort());
    for (const [code, entry] of Object.entries(covered)) {
      expect(entry.name.trim(), code).not.toBe("");
      expect(entry.description.trim(), code).not.toBe("");
      expect(
        LOG_CATEGORIES.map((c) => c.category),
        code,
      ).toContain(entry.category);
    }
  });
  it("uses Auth0's names for the codes a help desk meets most", () => {
    expect(describeLogType("fp").name).toBe("Failed Login (Incorrect Password)");
    expect(describeLogType("fu").name).toBe("Failed Login (Invalid Email/Username)");
    expect(describeLogType("limit_wc")).toMatchObject({ name: "Blocked Account", category: "block" });
    expect(describeLogType("sepft")).toMatchObject({ category: "success" });
  });
  it("gives every code one entry in exactly one group, and a distinct name inside its group", () => {
    const groups = groupLogTypes();
    const codes = groups.flatMap((g) => g.types.map((t) => t.code));
    expect(codes.sort()).toEqual(Object.keys(LOG_TYPES).sort());
    for (const g of groups) expect(new Set(g.types.map((t) => t.name)).size, g.label).toBe(g.types.length);
  });
  it("names an unknown code by itself instead of dropping it, and ignores inherited keys", () => {
    expect(describeLogType("zz_new")).toMatchObject({ code: "zz_new", name: "zz_new", category: "notice" });
    expect(describeLogType("toString")).toMatchObject({ name: "toString" });
    expect(describeLogType("__proto__")).toMatchObject({ name: "__proto__" });
  });
});
