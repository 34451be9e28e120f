import { describe, expect, it } from "vitest";
import { CROCKFORD_BASE32, encodeBase32 } from "../src/encoding/base32.ts";
import { formatRecoveryCode, generateRecoveryCodes, normaliseRecoveryCode } from "../src/mfa/recovery-codes.ts";
import { secretBox } from "../src/mfa/secret-box.ts";
import { hotp, importTotpKey, matchTotp, stepAccepted, totpStep } from "../src/mfa/totp.ts";
import { decodeBase32 } from "./support/mfa.ts";

/** The seed of RFC 4226 Appendix D and RFC 6238 Appendix B (SHA-1). */
const RFC_SEED = new TextEncoder().encode("12345678901234567890");

describe("HOTP (RFC 4226 Appendix D)", () => {
  it.each([
    [0, "755224"],
    [1, "287082"],
    [2, "359152"],
    [3, "969429"],
    [4, "338314"],
    [5, "254676"],
    [6, "287922"],
    [7, "162583"],
    [8, "399871"],
    [9, "520489"],
  ])("counter %i is %s", async (counter, code) => {
    expect(await hotp(await importTotpKey(RFC_SEED), counter)).toBe(code);
  });
});

describe("TOTP (RFC 6238 Appendix B, SHA-1, 8 digits)", () => {
  it.each([
    [59, "94287082"],
    [1111111109, "07081804"],
    [1111111111, "14050471"],
    [1234567890, "89005924"],
    [2000000000, "69279037"],
    [20000000000, "65353130"],
  ])("at T = %i s is %s", async (seconds, code) => {
    expect(await hotp(await importTotpKey(RFC_SEED), totpStep(seconds * 1000), 8)).toBe(code);
  });

  it("accepts the current step and one either side, each once", async () => {
    const key = await importTotpKey(RFC_SEED);
    const now = 1111111111_000;
    const step = totpStep(now);
    const none = { last: null, earlier: 0 };
    for (const offset of [-1, 0, 1]) expect(await matchTotp(key, await hotp(key, step + offset), now, none)).toBe(step + offset);
    for (const offset of [-2, 2]) expect(await matchTotp(key, await hotp(key, step + offset), now, none)).toBeNull();
    expect(await matchTotp(key, await hotp(key, step), now, { last: step, earlier: 0 })).toBeNull();
    expect(await matchTotp(key, await hotp(key, step), now, { last: step + 1, earlier: 0b00 })).toBe(step);
    expect(await matchTotp(key, await hotp(key, step), now, { last: step + 1, earlier: 0b01 })).toBeNull();
    expect(await matchTotp(key, await hotp(key, step - 1), now, { last: step + 1, earlier: 0b01 })).toBe(step - 1);
    expect(await matchTotp(key, await hotp(key, step - 1), now, { last: step + 1, earlier: 0b10 })).toBeNull();
  });
});

describe("accepted TOTP steps", () => {
  it.each([
    [10, { last: null, earlier: 0 }, false],
    [10, { last: 9, earlier: 0b11 }, false],
    [10, { last: 10, earlier: 0 }, true],
    [9, { last: 10, earlier: 0b00 }, false],
    [9, { last: 10, earlier: 0b01 }, true],
    [8, { last: 10, earlier: 0b01 }, false],
    [8, { last: 10, earlier: 0b10 }, true],
    [7, { last: 10, earlier: 0b00 }, true],
  ])("step %i after %o: accepted before = %s", (step, accepted, expected) => {
    expect(stepAccepted(step, accepted)).toBe(expected);
  });
});

describe("base32 (RFC 4648 §10, unpadded)", () => {
  it.each([
    ["", ""],
    ["f", "MY"],
    ["fo", "MZXQ"],
    ["foo", "MZXW6"],
    ["foob", "MZXW6YQ"],
    ["fooba", "MZXW6YTB"],
    ["foobar", "MZXW6YTBOI"],
  ])("%j is %j", (text, encoded) => {
    const bytes = new TextEncoder().encode(text);
    expect(encodeBase32(bytes)).toBe(encoded);
    expect(decodeBase32(encoded)).toEqual(bytes);
  });
});

describe("recovery codes", () => {
  it("are ten distinct codes of 80 random bits, shown in groups of four", () => {
    const codes = generateRecoveryCodes();
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) {
      expect(code).toMatch(new RegExp(`^[${CROCKFORD_BASE32}]{16}$`));
      expect(formatRecoveryCode(code)).toMatch(/^(.{4}-){3}.{4}$/);
    }
  });

  it("read back whatever the case, spaces and hyphens", () => {
    const [code = ""] = generateRecoveryCodes();
    for (const typed of [formatRecoveryCode(code), code.toUpperCase(), ` ${formatRecoveryCode(code).replaceAll("-", " ")} `]) {
      expect(normaliseRecoveryCode(typed)).toBe(code);
    }
    expect(normaliseRecoveryCode(code.slice(1))).toBeNull();
    expect(normaliseRecoveryCode(`${code.slice(1)}u`)).toBeNull();
  });
});

describe("the secret box (AES-256-GCM)", () => {
  const key = (kid: string) => ({ kid, key: crypto.getRandomValues(new Uint8Array(32)) });
  const first = key("first");
  const second = key("second");
  const secret = crypto.getRandomValues(new Uint8Array(20));

  it("seals under the first key, naming it, and any listed key opens", async () => {
    const sealedBySecond = await secretBox([second]).seal(secret, "totp:a");
    expect(sealedBySecond.split(".")).toHaveLength(3);
    expect(sealedBySecond.startsWith("second.")).toBe(true);
    const rotated = secretBox([first, second]);
    expect(await rotated.open(sealedBySecond, "totp:a")).toEqual(secret);
    expect((await rotated.seal(secret, "totp:a")).startsWith("first.")).toBe(true);
  });

  it("seals the same secret differently each time (a fresh nonce)", async () => {
    const box = secretBox([first]);
    expect(await box.seal(secret, "totp:a")).not.toBe(await box.seal(secret, "totp:a"));
  });

  it.each([
    ["another admin's context", async (sealed: string) => secretBox([first]).open(sealed, "totp:b")],
    ["a key no longer listed", async (sealed: string) => secretBox([second]).open(sealed, "totp:a")],
    ["another key under the same kid", async (sealed: string) => secretBox([key("first")]).open(sealed, "totp:a")],
    ["altered ciphertext", async (sealed: string) => secretBox([first]).open(`${sealed.slice(0, -2)}AA`, "totp:a")],
  ])("fails closed with %s", async (_name, open) => {
    const sealed = await secretBox([first]).seal(secret, "totp:a");
    await expect(open(sealed)).rejects.toMatchObject({ code: "mfa_secret_unreadable", status: 500 });
  });
});
