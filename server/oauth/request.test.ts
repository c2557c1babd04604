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
  it("refuses bodies over 64 KiB", async () => {
    await expect(
      parseParams(req("application/x-www-form-urlencoded", "a=" + "x".repeat(70_000))),
    ).rejects.toThrow(/too large/);
  });
});
