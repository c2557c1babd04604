import { describe, expect, it } from "vitest";
import { parseParams, readBodyText, type TTokenRequest } from "./request.ts";
import { InvalidRequest } from "./errors.ts";

function req(contentType: string | null, body: string): TTokenRequest {
  const web = new Request("https://t/oauth/token", {
    method: "POST",
    headers: contentType ? { "content-type": contentType } : {},
    body,
  });
  return { headers: web.headers, readBody: () => readBodyText(web) };
}

describe("parseParams", () => {
  it("reads form bodies with or without a charset", async () => {
    expect(await parseParams(req("application/x-www-form-urlencoded", "a=1&b=x%20y"))).toEqual({
      a: "1",
      b: "x y",
    });
    expect(await parseParams(req("application/x-www-form-urlencoded;charset=UTF-8", "a=%C3%A9"))).toEqual({
      a: "é",
    });
  });
  it("reads JSON bodies, stringifying scalars", async () => {
    expect(await parseParams(req("application/json", '{"a":"1","n":2,"t":true,"z":null}'))).toEqual({
      a: "1",
      n: "2",
      t: "true",
    });
  });
  it("refuses repeated parameters, nested JSON, bad JSON and other media types", async () => {
    await expect(parseParams(req("application/x-www-form-urlencoded", "a=1&a=2"))).rejects.toBeInstanceOf(
      InvalidRequest,
    );
    await expect(parseParams(req("application/json", '{"a":{"b":1}}'))).rejects.toBeInstanceOf(
      InvalidRequest,
    );
    await expect(parseParams(req("application/json", "{oops"))).rejects.toBeInstanceOf(InvalidRequest);
    await expect(parseParams(req("application/json", "[1]"))).rejects.toBeInstanceOf(InvalidRequest);
    await expect(parseParams(req("text/plain", "a=1"))).rejects.toBeInstanceOf(InvalidRequest);
    await expect(parseParams(req(null, "a=1"))).rejects.toBeInstanceOf(InvalidRequest);
  });
  it("refuses a NUL or a lone surrogate in a name or value (the stores cannot take them; found by fuzzing)", async () => {
    for (const [type, body] of [
      ["application/x-www-form-urlencoded", "username=a%00b"],
      ["application/x-www-form-urlencoded", "a%00=1"],
      ["application/json", '{"username":"a\\u0000b"}'],
      ["application/json", '{"a\\u0000":"1"}'],
      ["application/json", '{"audience":"\\udfff"}'],
      ["application/json", '{"x\\ud800":"1"}'],
    ] as const) {
      await expect(parseParams(req(type, body))).rejects.toThrow(/NUL/);
    }
    // A pair is one character, and invalid UTF-8 in a form decodes to U+FFFD: both are fine.
    expect(await parseParams(req("application/json", '{"a":"\\ud83d\\udd11"}'))).toEqual({ a: "🔑" });
    expect(await parseParams(req("application/x-www-form-urlencoded", "a=%ED%A0%80"))).toEqual({
      a: "\ufffd\ufffd\ufffd",
    });
  });
  it("counts a `__proto__` parameter like any other (a repeated one is refused; found by fuzzing)", async () => {
    await expect(
      parseParams(req("application/x-www-form-urlencoded", "__proto__=1&__proto__=2")),
    ).rejects.toThrow(/repeated/);
    const json = await parseParams(req("application/json", '{"__proto__":"x","a":"1"}'));
    expect(Object.getPrototypeOf(json)).toBe(Object.prototype);
    expect(Object.entries(json)).toEqual([
      ["__proto__", "x"],
      ["a", "1"],
    ]);
  });
  it("refuses bodies over 64 KiB", async () => {
    await expect(
      parseParams(req("application/x-www-form-urlencoded", "a=" + "x".repeat(70_000))),
    ).rejects.toThrow(/too large/);
  });
});
