import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../src/index.ts";
import { hashPassword } from "../src/passwords/hash-password.ts";
import { verifyPassword } from "../src/passwords/verify-password.ts";
import { takePbkdf2Derivations } from "./support/production-pbkdf2-cap.ts";
import { createAdmin, PREFIX, postJson } from "./support/worker.ts";

const PHC = /^\$pbkdf2-sha256\$i=100000\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/;

describe("password hashing", () => {
  it("writes the PHC string with a 16-byte salt and a 32-byte key", async () => {
    const hash = await hashPassword("correct horse battery staple", 100_000);
    expect(hash).toMatch(PHC);
    expect(await hashPassword("correct horse battery staple", 100_000)).not.toBe(hash);
  });

  it("verifies by replaying the stored iteration count", async () => {
    const weak = await hashPassword("pässwörd ✓", 1_000);
    expect(await verifyPassword("pässwörd ✓", weak, 100_000)).toEqual({ valid: true, needsRehash: true });
    expect(await verifyPassword("password ✓", weak, 100_000)).toEqual({ valid: false, needsRehash: false });
  });

  it("treats a stored count above the production cap as a failure without deriving it", async () => {
    const [, , salt, key] = (await hashPassword("x", 1)).split("$");
    takePbkdf2Derivations();
    const result = await verifyPassword("x", `$pbkdf2-sha256$i=200000$${salt}$${key}`, 100_000);
    expect(result.valid).toBe(false);
    expect(takePbkdf2Derivations()).toEqual([100_000]);
  });

  it("simulates production: deriveBits above 100000 iterations throws", async () => {
    const material = await crypto.subtle.importKey("raw", new Uint8Array(8), "PBKDF2", false, ["deriveBits"]);
    const derive = crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt: new Uint8Array(16), iterations: 100_001 }, material, 256);
    await expect(derive).rejects.toThrow(/not supported/);
  });
});

describe("login under the production PBKDF2 cap", () => {
  it("logs in with the default policy", async () => {
    const admin = await createAdmin();
    takePbkdf2Derivations();
    const response = await postJson(`${PREFIX}/login`, { email: admin.email, password: admin.password });
    expect(response.status).toBe(200);
    expect(takePbkdf2Derivations()).toEqual([100_000]);
  });

  it("re-hashes a weaker hash on a successful login", async () => {
    const admin = await createAdmin({ passwordHash: await hashPassword("correct horse battery staple", 5_000) });
    const response = await postJson(`${PREFIX}/login`, { email: admin.email, password: admin.password });
    expect(response.status).toBe(200);
    const row = await env.DB.prepare("SELECT password_hash FROM admins WHERE id = ?").bind(admin.id).first<{ password_hash: string }>();
    expect(row?.password_hash).toMatch(PHC);
  });

  it("costs an unknown email one derivation, like a wrong password", async () => {
    takePbkdf2Derivations();
    const response = await postJson(`${PREFIX}/login`, { email: "nobody-here@example.com", password: "guess" });
    expect(response.status).toBe(401);
    expect(takePbkdf2Derivations()).toEqual([100_000]);
  });

  it("refuses PBKDF2_ITERATIONS above the cap with a 500 and a log line naming it", async () => {
    const errors: string[] = [];
    const original = console.error;
    console.error = (line: string) => errors.push(line);
    try {
      const request = new Request(`https://auth.test${PREFIX}/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: "a@example.com", password: "x" }),
      });
      const response = await worker.fetch(request, { ...env, PBKDF2_ITERATIONS: "200000" }, createExecutionContext());
      expect(response.status).toBe(500);
      expect(await response.text()).toBe('{"detail":"Internal Server Error"}');
    } finally {
      console.error = original;
    }
    expect(errors.join("\n")).toContain("PBKDF2_ITERATIONS");
  });
});

describe("timing of a weaker stored hash", () => {
  it("makes up the policy's iterations when a weaker hash fails, so it costs what an unknown email costs", async () => {
    const admin = await createAdmin({ passwordHash: await hashPassword("correct horse battery staple", 5_000) });
    takePbkdf2Derivations();
    expect((await postJson(`${PREFIX}/login`, { email: admin.email, password: "wrong" })).status).toBe(401);
    const derived = takePbkdf2Derivations();
    expect(derived.reduce((sum, iterations) => sum + iterations, 0)).toBe(100_000);
  });
});
