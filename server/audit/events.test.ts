import { describe, expect, it } from "vitest";
import { SECRET_PARAMS } from "../oauth/core/secret-params.ts";
import { scrubSecrets } from "./events.ts";

describe("audit records scrub secrets", () => {
  it("every grant's secret parameter is redacted wherever it appears in a record's details", () => {
    const body = Object.fromEntries(SECRET_PARAMS.map((k) => [k, `value-of-${k}`]));
    const scrubbed = scrubSecrets({ request: { body }, list: [body], grant_type: "password" });
    expect(JSON.stringify(scrubbed)).not.toMatch(/value-of-/);
    expect(scrubbed).toMatchObject({ grant_type: "password" });
  });
});
