import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { jwtVerify, decodeProtectedHeader } from "jose";
import { signCompactJws } from "./jws.ts";

describe("signCompactJws", () => {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const payload = { sub: "auth0|1", aud: ["a", "b"], n: 1, skip: undefined, "https://x/é": "ü" };

  it("makes RS256 tokens that jose verifies, with the header as given", async () => {
    const token = await signCompactJws({ alg: "RS256", typ: "JWT", kid: "k1" }, payload, privateKey);
    expect(decodeProtectedHeader(token)).toEqual({ alg: "RS256", typ: "JWT", kid: "k1" });
    const { payload: read } = await jwtVerify(token, publicKey, { algorithms: ["RS256"] });
    expect(read).toEqual({ sub: "auth0|1", aud: ["a", "b"], n: 1, "https://x/é": "ü" });
  });

  it("makes HS256 tokens that verify with the same secret only", async () => {
    const token = await signCompactJws({ alg: "HS256", typ: "JWT" }, payload, "s3cret-s3cret-s3cret");
    const key = new TextEncoder().encode("s3cret-s3cret-s3cret");
    await expect(jwtVerify(token, key, { algorithms: ["HS256"] })).resolves.toBeTruthy();
    await expect(
      jwtVerify(token, new TextEncoder().encode("another-secret-value"), { algorithms: ["HS256"] }),
    ).rejects.toThrow();
  });

  it("produces signatures that fail once the payload is altered", async () => {
    const token = await signCompactJws({ alg: "RS256", typ: "JWT" }, payload, privateKey);
    const [h, , s] = token.split(".");
    const forged = `${h}.${Buffer.from(JSON.stringify({ sub: "auth0|2" })).toString("base64url")}.${s}`;
    await expect(jwtVerify(forged, publicKey)).rejects.toThrow(/signature/);
  });
});
