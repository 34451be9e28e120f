import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { type AdminCommandContext, OPERATOR_ORIGIN } from "../src/admins/admin-commands.ts";
import { importAdmins } from "../src/admins/import-admins.ts";
import { database } from "../src/db/client.ts";
import { hashPassword } from "../src/passwords/hash-password.ts";
import { blowfishPi } from "../src/passwords/legacy/blowfish-pi.ts";
import { verifyPassword } from "../src/passwords/verify-password.ts";
import libxcrypt from "./fixtures/bcrypt-libxcrypt.json";
import legacy from "./fixtures/legacy-hashes.json";
import { takePbkdf2Derivations } from "./support/production-pbkdf2-cap.ts";
import { createAdmin, PREFIX, postJson } from "./support/worker.ts";

const PHC = /^\$pbkdf2-sha256\$i=100000\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/;
const [passlibDefault, passlib100k, bcrypt12, bcrypt10] = legacy.vectors;

function context(): AdminCommandContext {
  return { db: database(env.DB), kv: env.REVOCATIONS, origin: OPERATOR_ORIGIN, now: Date.now(), pbkdf2Iterations: 100_000 };
}

interface LoginUser {
  user: Record<string, unknown>;
}

async function storedHash(email: string): Promise<string | undefined> {
  const row = await env.DB.prepare("SELECT password_hash FROM admins WHERE lower(email) = lower(?)").bind(email).first<{ password_hash: string }>();
  return row?.password_hash;
}

describe("hashes made by passlib and bcrypt (shared vectors)", () => {
  it.each(legacy.vectors)("$scheme verifies $password and asks for a re-hash", async ({ password, hash }) => {
    expect(await verifyPassword(password, hash, 100_000)).toEqual({ valid: true, needsRehash: true });
    expect(await verifyPassword(`${password} `, hash, 100_000)).toEqual({ valid: false, needsRehash: false });
  });
});

describe("bcrypt against libxcrypt", () => {
  it.each(libxcrypt.vectors)("$hash", async ({ password, hash }) => {
    expect(await verifyPassword(password, hash, 100_000)).toEqual({ valid: true, needsRehash: true });
    expect((await verifyPassword(`${password}!`, hash, 100_000)).valid).toBe(new TextEncoder().encode(password).length >= 72);
  });

  it("reads only the first 72 bytes of the UTF-8 password, as the libraries that made the hashes", async () => {
    const cut = libxcrypt.vectors.find(({ password }) => password.endsWith("tail"));
    expect(cut).toBeDefined();
    expect((await verifyPassword("ü".repeat(36), cut?.hash ?? "", 100_000)).valid).toBe(true);
    expect((await verifyPassword("ü".repeat(35), cut?.hash ?? "", 100_000)).valid).toBe(false);
  });

  it("costs a wrong password the policy derivation too: a cheap bcrypt hash fails no faster than an unknown email", async () => {
    const cheap = libxcrypt.vectors.find(({ hash }) => hash.startsWith("$2b$04$"));
    takePbkdf2Derivations();
    expect((await verifyPassword("not the password", cheap?.hash ?? "", 100_000)).valid).toBe(false);
    expect(takePbkdf2Derivations()).toEqual([100_000]);
    expect((await verifyPassword(cheap?.password ?? "", cheap?.hash ?? "", 100_000)).valid).toBe(true);
    expect(takePbkdf2Derivations()).toEqual([]);
  });

  it("computes Blowfish's initial state from the digits of pi", () => {
    const state = blowfishPi();
    expect(state).toHaveLength(1042);
    // P1, P18, the first word of S1 and the last of S4 in Schneier's tables.
    expect([state[0], state[17], state[18], state[1041]].map((word) => word?.toString(16))).toEqual(["243f6a88", "8979fb1b", "d1310ba6", "3ac372e6"]);
  });
});

describe("hashes that cannot or must not be checked", () => {
  const bcrypt = bcrypt10?.hash ?? "";
  it.each([
    ["crypt_blowfish's buggy $2x$", bcrypt.replace("$2b$", "$2x$")],
    ["a bcrypt cost above 14", bcrypt.replace("$10$", "$15$")],
    ["a truncated bcrypt hash", bcrypt.slice(0, -1)],
    ["passlib rounds above the production cap", passlib100k?.hash.replace("$100000$", "$100001$") ?? ""],
    ["an unknown scheme", "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2g"],
  ])("fails %s as a wrong password, at the cost of one policy derivation", async (_, hash) => {
    takePbkdf2Derivations();
    expect(await verifyPassword(bcrypt10?.password ?? "", hash, 100_000)).toMatchObject({
      valid: false,
      needsRehash: false,
      unusable: { kind: expect.any(String) },
    });
    expect(takePbkdf2Derivations()).toEqual([100_000]);
  });
});

describe("importing admins from the FastAPI service", () => {
  it("logs each hash format in with its old password and leaves only PHC strings", async () => {
    const ours = await hashPassword("our own passphrase", 100_000);
    const entries = [
      { email: "passlib@import.example.com", name: "Passlib", role: "admin", is_active: true, password_hash: passlibDefault?.hash },
      { email: "passlib-100k@import.example.com", name: "Passlib 100k", role: "admin", is_active: true, password_hash: passlib100k?.hash },
      { email: "bcrypt@import.example.com", name: "Bcrypt", role: "owner", is_active: true, password_hash: bcrypt12?.hash },
      { email: "bcrypt-10@import.example.com", name: "Bcrypt 10", role: "admin", is_active: true, password_hash: bcrypt10?.hash },
      { email: "phc@import.example.com", name: "Ours", role: "admin", is_active: true, password_hash: ours },
    ];
    const report = await importAdmins(context(), entries);
    expect(report).toEqual({ imported: entries.map((entry) => entry.email), skipped: [] });

    const passwords = [passlibDefault, passlib100k, bcrypt12, bcrypt10].map((vector) => vector?.password ?? "");
    passwords.push("our own passphrase");
    for (const [i, entry] of entries.entries()) {
      const response = await postJson(`${PREFIX}/login`, { email: entry.email, password: passwords[i] });
      expect(response.status, entry.email).toBe(200);
      expect(((await response.json()) as LoginUser).user).toMatchObject({ email: entry.email, name: entry.name, role: entry.role });
      expect(await storedHash(entry.email)).toMatch(PHC);
      expect((await postJson(`${PREFIX}/login`, { email: entry.email, password: passwords[i] })).status).toBe(200);
    }
    expect(await storedHash("phc@import.example.com")).toBe(ours);
  });

  it("is idempotent: a re-run skips every admin that exists, whatever the case of its email", async () => {
    const entry = { email: "twice@import.example.com", name: "Twice", role: "admin", is_active: true, password_hash: bcrypt10?.hash };
    expect((await importAdmins(context(), [entry])).imported).toEqual(["twice@import.example.com"]);
    const again = await importAdmins(context(), [entry, { ...entry, email: "TWICE@import.example.com" }]);
    expect(again).toEqual({
      imported: [],
      skipped: [
        { entry: 1, email: "twice@import.example.com", reason: "an admin with this email already exists", invalid: false },
        { entry: 2, email: "TWICE@import.example.com", reason: "same email as entry 1", invalid: true },
      ],
    });
    const { count } =
      (await env.DB.prepare("SELECT count(*) AS count FROM admins WHERE lower(email) = 'twice@import.example.com'").first<{ count: number }>()) ?? {};
    expect(count).toBe(1);
  });

  it("reports each entry it skipped and why, and imports the rest", async () => {
    const valid = { email: "valid@import.example.com", name: "Valid", role: "admin", is_active: true, password_hash: passlibDefault?.hash };
    const report = await importAdmins(context(), [
      "not an object",
      { ...valid, email: "not-an-email" },
      { ...valid, email: "no-name@import.example.com", name: undefined },
      { ...valid, email: "active-string@import.example.com", is_active: "yes" },
      { ...valid, email: "argon@import.example.com", password_hash: "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA" },
      { ...valid, email: "slow@import.example.com", password_hash: bcrypt10?.hash.replace("$10$", "$16$") },
      { ...valid, email: "capped@import.example.com", password_hash: passlib100k?.hash.replace("$100000$", "$200000$") },
      valid,
      { ...valid, name: "Valid again" },
    ]);
    expect(report.imported).toEqual(["valid@import.example.com"]);
    expect(report.skipped.map(({ entry, email, reason }) => [entry, email, reason])).toEqual([
      [1, null, "not an admin object"],
      [2, "not-an-email", "invalid email: An email address must have an @-sign."],
      [3, "no-name@import.example.com", "name is missing"],
      [4, "active-string@import.example.com", "is_active must be a boolean"],
      [5, "argon@import.example.com", "password_hash is not a PBKDF2-SHA256 (ours or passlib's) or bcrypt hash"],
      [6, "slow@import.example.com", "bcrypt cost 16 is above 14: too slow to check within a Worker's CPU limit"],
      [7, "capped@import.example.com", "PBKDF2 rounds 200000 are above the 100000 Cloudflare's runtime allows"],
      [9, "valid@import.example.com", "same email as entry 8"],
    ]);
  });

  it("keeps an imported admin's state: a disabled one gets 403 with the right password, and role and name as given", async () => {
    await importAdmins(context(), [
      { email: "off@import.example.com", name: "Off", role: "auditor", is_active: false, password_hash: bcrypt10?.hash },
      { email: "defaults@import.example.com", name: "Defaults", password_hash: passlibDefault?.hash },
    ]);
    expect((await postJson(`${PREFIX}/login`, { email: "off@import.example.com", password: bcrypt10?.password })).status).toBe(403);
    const response = await postJson(`${PREFIX}/login`, { email: "defaults@import.example.com", password: passlibDefault?.password });
    expect(((await response.json()) as LoginUser).user).toMatchObject({ role: "admin", is_active: true });
  });

  it("says how far an interrupted import got, and a re-run imports the rest", async () => {
    let batches = 0;
    const failsSecondBatch = new Proxy(env.DB, {
      get(target, property) {
        if (property === "batch") {
          return (statements: D1PreparedStatement[]) => (++batches === 2 ? Promise.reject(new Error("D1_ERROR: simulated")) : target.batch(statements));
        }
        const value = Reflect.get(target, property);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const entries = Array.from({ length: 30 }, (_, i) => ({ email: `bulk${i}@import.example.com`, name: "Bulk", password_hash: passlibDefault?.hash }));
    await expect(importAdmins({ ...context(), db: database(failsSecondBatch) }, entries)).rejects.toThrow(
      "Import stopped after 20 admin(s) (D1_ERROR: simulated); run it again with the same file to import the rest",
    );
    const again = await importAdmins(context(), entries);
    expect(again.imported).toHaveLength(10);
    expect(again.skipped.map(({ reason }) => reason)).toEqual(Array(20).fill("an admin with this email already exists"));
  });

  it("audits each admin it imported, and only those", async () => {
    const entry = { email: "audited@import.example.com", name: "Audited", role: "admin", is_active: true, password_hash: bcrypt10?.hash };
    await importAdmins(context(), [entry]);
    await importAdmins(context(), [entry]);
    const { results } = await env.DB.prepare("SELECT event, email FROM audit_events WHERE email = 'audited@import.example.com'").all();
    expect(results).toEqual([{ event: "admin_imported", email: "audited@import.example.com" }]);
  });
});

describe("hashes of the wrong shape", () => {
  /** The shared passlib vector's digest cut to its first byte: the right password matches that byte. */
  const TRUNCATED = "$pbkdf2-sha256$29000$aC0lBADgnNO6lzImBOC89w$zQ";
  const LONG_DIGEST = `$pbkdf2-sha256$29000$aC0lBADgnNO6lzImBOC89w$${"zQ".repeat(1366)}`;
  const LONG_SALT = `$pbkdf2-sha256$29000$${"aC0l".repeat(400)}$zcH8IaXk6EFyKgm/S6jTQpoVZrraFku3OastU2UFiTk`;
  const password = passlibDefault?.password ?? "";

  it("are refused at import, each with its reason", async () => {
    const entry = (email: string, password_hash: string) => ({ email, name: "Wrong shape", password_hash });
    const bcrypt = bcrypt10?.hash ?? "";
    const report = await importAdmins(context(), [
      entry("truncated@shape.example.com", TRUNCATED),
      entry("long-digest@shape.example.com", LONG_DIGEST),
      entry("long-salt@shape.example.com", LONG_SALT),
      entry("phc-short@shape.example.com", "$pbkdf2-sha256$i=100000$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA"),
      entry("bcrypt-short@shape.example.com", bcrypt.slice(0, -1)),
      entry("bcrypt-long@shape.example.com", `${bcrypt}A`),
    ]);
    expect(report.imported).toEqual([]);
    expect(report.skipped.map(({ reason }) => reason)).toEqual([
      "password_hash has a PBKDF2-SHA256 digest of 1 byte(s): passlib and this service make 32",
      "password_hash has a PBKDF2-SHA256 digest of 2049 byte(s): passlib and this service make 32",
      "password_hash has a salt of 1200 byte(s): passlib allows 1 to 1024",
      "password_hash has a PBKDF2-SHA256 digest of 16 byte(s): passlib and this service make 32",
      "password_hash is not a bcrypt hash's exact 60-character form ($2b$, two cost digits, $, 53 characters)",
      "password_hash is not a bcrypt hash's exact 60-character form ($2b$, two cost digits, $, 53 characters)",
    ]);
  });

  it.each([
    ["a digest cut to one byte", TRUNCATED],
    ["a 2 KiB digest", LONG_DIGEST],
  ])("fail closed at login, as a wrong password at a wrong password's cost, with a log line: %s", async (_name, hash) => {
    const admin = await createAdmin({ passwordHash: hash });
    const errors: string[] = [];
    const spy = vi.spyOn(console, "error").mockImplementation((line: string) => errors.push(line));
    takePbkdf2Derivations();
    const response = await postJson(`${PREFIX}/login`, { email: admin.email, password });
    spy.mockRestore();
    expect([response.status, await response.text()]).toEqual([401, '{"detail":"Incorrect email or password"}']);
    expect(takePbkdf2Derivations()).toEqual([100_000]);
    expect(await storedHash(admin.email)).toBe(hash);
    expect(errors.join("\n")).toMatch(/"message":"unusable password hash".*"kind":"digest_length","bytes":\d+/);
    expect(errors.join("\n")).toContain(admin.id);
  });
});
