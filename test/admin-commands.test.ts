import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { decodeJwt } from "jose";
import { describe, expect, it, vi } from "vitest";
import {
  type AdminCommandContext,
  createAdmin,
  disableAdmin,
  enableAdmin,
  listAdmins,
  listPasskeys,
  OPERATOR_ORIGIN,
  readAuditLog,
  resetMfa,
  resetPasskeys,
  revokeSessions,
  setPassword,
} from "../src/admins/admin-commands.ts";
import { adminAsRead, findAdminByEmail } from "../src/admins/admin-store.ts";
import { database } from "../src/db/client.ts";
import { admins, passkeys } from "../src/db/schema.ts";
import { insertSessionIf } from "../src/sessions/session-store.ts";
import { enrol } from "./support/mfa.ts";
import { adminWithPasskey, assertion, signInWith, verifySignIn } from "./support/passkeys.ts";
import { bearer, call, loginAs, PREFIX, postJson } from "./support/worker.ts";

function context(): AdminCommandContext {
  return { db: database(env.DB), kv: env.REVOCATIONS, origin: OPERATOR_ORIGIN, now: Date.now(), pbkdf2Iterations: 100_000 };
}

const PASSWORD = "a long enough password";

async function newAdmin(email: string) {
  await createAdmin(context(), { email, name: "Ops", password: PASSWORD });
  return { id: "", email, password: PASSWORD };
}

describe("admin commands", () => {
  it("creates an admin who can log in, with a normalised email", async () => {
    const created = await createAdmin(context(), { email: " New.Admin@EXAMPLE.com", name: "New", role: "owner", password: PASSWORD });
    expect(created).toMatchObject({ email: "New.Admin@example.com", name: "New", role: "owner", is_active: true, last_login_at: null });
    expect((await postJson(`${PREFIX}/login`, { email: "new.admin@example.com", password: PASSWORD })).status).toBe(200);
  });

  it("refuses a duplicate email whatever its case", async () => {
    await newAdmin("dup@example.com");
    await expect(createAdmin(context(), { email: "DUP@example.com", name: "x", password: PASSWORD })).rejects.toMatchObject({ code: "duplicate_email" });
  });

  it("refuses passwords under 12 characters and invalid emails", async () => {
    await expect(createAdmin(context(), { email: "short@example.com", name: "x", password: "elevenchars" })).rejects.toMatchObject({ code: "weak_password" });
    await expect(createAdmin(context(), { email: "not-an-email", name: "x", password: PASSWORD })).rejects.toMatchObject({ code: "invalid_email" });
  });

  it("disabling revokes every session at once; enabling does not bring them back", async () => {
    const admin = await newAdmin("disable-me@example.com");
    const [first, second] = [await loginAs(admin), await loginAs(admin)];
    expect(await disableAdmin(context(), admin.email)).toBe(2);
    for (const tokens of [first, second]) {
      expect((await call(`${PREFIX}/me`, { headers: bearer(tokens.access_token) })).status).toBe(401);
      expect((await postJson(`${PREFIX}/refresh`, { refresh_token: tokens.refresh_token })).status).toBe(401);
    }
    expect((await postJson(`${PREFIX}/login`, { email: admin.email, password: PASSWORD })).status).toBe(403);
    await enableAdmin(context(), admin.email);
    expect((await postJson(`${PREFIX}/refresh`, { refresh_token: first.refresh_token })).status).toBe(401);
    expect((await postJson(`${PREFIX}/login`, { email: admin.email, password: PASSWORD })).status).toBe(200);
  });

  it("changing the password revokes every session and the old password", async () => {
    const admin = await newAdmin("rotate-pw@example.com");
    const tokens = await loginAs(admin);
    expect(await setPassword(context(), admin.email, "a brand new passphrase")).toBe(1);
    expect((await call(`${PREFIX}/me`, { headers: bearer(tokens.access_token) })).status).toBe(401);
    expect((await postJson(`${PREFIX}/login`, { email: admin.email, password: PASSWORD })).status).toBe(401);
    expect((await postJson(`${PREFIX}/login`, { email: admin.email, password: "a brand new passphrase" })).status).toBe(200);
  });

  it("the audit log of an email shows its admin's session events, which carry only the admin id", async () => {
    const admin = await newAdmin("Audit-Sessions@example.com");
    const tokens = await loginAs(admin);
    await loginAs(admin);
    await call(`${PREFIX}/logout?scope=others`, { method: "POST", headers: bearer(tokens.access_token) });
    await call(`${PREFIX}/logout`, { method: "POST", headers: bearer(tokens.access_token) });
    const rows = await readAuditLog(context(), { email: "audit-sessions@EXAMPLE.com", limit: 10 });
    expect(rows.map((row) => (row.reason ? `${row.event}:${row.reason}` : row.event))).toEqual([
      "logout",
      "sessions_revoked:others",
      "login_succeeded",
      "login_succeeded",
    ]);
  });

  it("revoke-sessions writes each revocation to KV", async () => {
    const admin = await newAdmin("revoke-all@example.com");
    const tokens = await loginAs(admin);
    expect(await revokeSessions(context(), admin.email)).toBe(1);
    const sid = decodeJwt(tokens.access_token).sid;
    await vi.waitFor(async () => expect(await env.REVOCATIONS.get(`revoked-session:${sid}`)).toBe("operator"));
  });

  it("refuses an unknown admin", async () => {
    await expect(disableAdmin(context(), "nobody@example.com")).rejects.toMatchObject({ code: "unknown_admin" });
    await expect(resetMfa(context(), "nobody@example.com")).rejects.toMatchObject({ code: "unknown_admin" });
  });

  it("mfa-reset: the password alone logs in again, every session and recovery code is gone", async () => {
    const admin = await newAdmin(`lost-device-${crypto.randomUUID().slice(0, 6)}@example.com`);
    const { accessToken } = await enrol(admin);
    expect((await listAdmins(context())).find((row) => row.email === admin.email)?.mfa).toBe("on");
    expect(await resetMfa(context(), admin.email)).toEqual({ was: "on", revoked: 1 });
    expect((await call(`${PREFIX}/me`, { headers: bearer(accessToken) })).status).toBe(401);
    const sid = decodeJwt(accessToken).sid;
    expect(await env.REVOCATIONS.get(`revoked-session:${sid}`)).toBe("mfa_reset");
    const login = await postJson(`${PREFIX}/login`, { email: admin.email, password: PASSWORD });
    expect(login.status).toBe(200);
    expect((await login.json<{ user: { mfa_enabled: boolean } }>()).user.mfa_enabled).toBe(false);
    const { results: codes } = await env.DB.prepare("SELECT r.code_hash FROM recovery_codes r JOIN admins a ON a.id = r.admin_id WHERE a.email = ?")
      .bind(admin.email)
      .all();
    expect(codes).toEqual([]);
    const reset = await env.DB.prepare("SELECT reason FROM audit_events WHERE email = ? AND event = 'mfa_reset'").bind(admin.email.toLowerCase()).all();
    expect(reset.results).toEqual([{ reason: "mfa_reset" }]);
    expect((await listAdmins(context())).find((row) => row.email === admin.email)?.mfa).toBe("off");
  });

  it("lists an enrolment that is started but not confirmed as pending", async () => {
    const admin = await newAdmin(`pending-${crypto.randomUUID().slice(0, 6)}@example.com`);
    const { access_token } = await loginAs(admin);
    await call(`${PREFIX}/mfa/totp/setup`, { method: "POST", headers: bearer(access_token) });
    expect((await listAdmins(context())).find((row) => row.email === admin.email)?.mfa).toBe("pending");
  });

  it("lists admins without any hash", async () => {
    await newAdmin("listed@example.com");
    const listed = await listAdmins(context());
    expect(listed.some((admin) => admin.email === "listed@example.com")).toBe(true);
    expect(listed.find((admin) => admin.email === "listed@example.com")?.password_scheme).toBe("pbkdf2");
    expect(JSON.stringify(listed)).not.toContain("$");
  });
});

describe("passkey commands", () => {
  /** A stored passkey as a registration leaves it: these commands only read and delete rows, whatever made them. */
  async function storePasskey(adminId: string, name: string, fields: Partial<typeof passkeys.$inferInsert> = {}) {
    await database(env.DB)
      .insert(passkeys)
      .values({
        id: crypto.randomUUID(),
        adminId,
        credentialId: `credential-${crypto.randomUUID()}`,
        publicKey: "public-key-bytes",
        counter: 0,
        transports: '["hybrid","internal"]',
        aaguid: "00000000-0000-0000-0000-000000000000",
        backedUp: true,
        name,
        createdAt: Date.now(),
        ...fields,
      });
  }

  async function adminWithPasskeys(label: string, names: string[]) {
    const admin = await newAdmin(`${label}-${crypto.randomUUID().slice(0, 6)}@example.com`);
    const [row] = await findAdminByEmail(database(env.DB), admin.email);
    if (!row) throw new Error("no admin");
    for (const [index, name] of names.entries()) await storePasskey(row.id, name, { createdAt: Date.UTC(2026, 0, 1 + index) });
    return { ...admin, id: row.id };
  }

  it("list counts each admin's passkeys and says when the admin is passkey-only", async () => {
    const some = await adminWithPasskeys("counted", ["Laptop", "Phone"]);
    const none = await adminWithPasskeys("uncounted", []);
    await database(env.DB).update(admins).set({ passkeyOnly: true }).where(eq(admins.id, some.id));
    const listed = await listAdmins(context());
    expect(listed.find((row) => row.email === some.email)).toMatchObject({ passkeys: 2, passkey_only: true });
    expect(listed.find((row) => row.email === none.email)).toMatchObject({ passkeys: 0, passkey_only: false });
  });

  it("passkeys lists an admin's own, newest first, without the public key or credential id", async () => {
    const admin = await adminWithPasskeys("lister", ["Old key", "New key"]);
    await adminWithPasskeys("someone-else", ["Not mine"]);
    const listed = await listPasskeys(context(), admin.email.toUpperCase());
    expect(listed).toEqual([
      { id: expect.any(String), name: "New key", createdAt: Date.UTC(2026, 0, 2), lastUsedAt: null, backedUp: true, transports: ["hybrid", "internal"] },
      { id: expect.any(String), name: "Old key", createdAt: Date.UTC(2026, 0, 1), lastUsedAt: null, backedUp: true, transports: ["hybrid", "internal"] },
    ]);
    expect(JSON.stringify(listed)).not.toMatch(/credential-|public-key-bytes/);
    await expect(listPasskeys(context(), "nobody@example.com")).rejects.toMatchObject({ code: "unknown_admin" });
  });

  it("passkey-reset removes every passkey, turns passkey-only off and revokes every session, in D1 and KV, audited", async () => {
    const admin = await adminWithPasskeys("lost-passkeys", ["Phone", "Laptop"]);
    const bystander = await adminWithPasskeys("bystander", ["Theirs"]);
    const [first, second] = [await loginAs(admin), await loginAs(admin)];
    await database(env.DB).update(admins).set({ passkeyOnly: true }).where(eq(admins.id, admin.id));

    expect(await resetPasskeys(context(), admin.email)).toEqual({ removed: 2, wasPasskeyOnly: true, revoked: 2 });
    expect(await listPasskeys(context(), admin.email)).toEqual([]);
    expect(await listPasskeys(context(), bystander.email)).toHaveLength(1);
    const [row] = await findAdminByEmail(database(env.DB), admin.email);
    expect(row?.passkeyOnly).toBe(false);
    for (const tokens of [first, second]) {
      expect((await call(`${PREFIX}/me`, { headers: bearer(tokens.access_token) })).status).toBe(401);
      expect(await env.REVOCATIONS.get(`revoked-session:${decodeJwt(tokens.access_token).sid}`)).toBe("passkey_reset");
    }
    const [event] = await readAuditLog(context(), { email: admin.email, limit: 1 });
    expect(event).toMatchObject({ event: "passkey_reset", reason: "passkey_reset", adminId: admin.id, ip: null, userAgent: "scaikey-admin-cli" });
    expect((await postJson(`${PREFIX}/login`, { email: admin.email, password: PASSWORD })).status).toBe(200);
    await expect(resetPasskeys(context(), "nobody@example.com")).rejects.toMatchObject({ code: "unknown_admin" });
  });

  it("after passkey-reset, the lost device's passkey signs nobody in and the session it opened is over", async () => {
    const admin = await newAdmin(`lost-phone-${crypto.randomUUID().slice(0, 6)}@example.com`);
    const { device } = await adminWithPasskey(admin);
    const opened = await signInWith(device);
    expect(await resetPasskeys(context(), admin.email)).toMatchObject({ removed: 1 });
    expect((await call(`${PREFIX}/me`, { headers: bearer(opened.access_token) })).status).toBe(401);
    const refused = await verifySignIn(await assertion(device));
    expect([refused.status, await refused.text()]).toEqual([401, '{"detail":"Invalid passkey"}']);
  });
});

describe("admin state changes racing a login or refresh", () => {
  /** A session as a login about to open it would describe it. */
  const newSession = (adminId: string) => ({
    id: crypto.randomUUID(),
    adminId,
    refreshJti: "jti",
    now: Date.now(),
    expiresAt: Date.now() + 60_000,
    ip: null,
    userAgent: null,
    amr: ["pwd"],
    authTime: Date.now(),
    passkeyId: null,
  });

  it.each([
    ["a new password", (email: string) => setPassword(context(), email, "a brand new passphrase")],
    ["MFA reset", (email: string) => resetMfa(context(), email)],
    ["being disabled", (email: string) => disableAdmin(context(), email)],
  ])("does not open a session for an admin given %s since their password was checked", async (_name, change) => {
    const admin = await newAdmin(`raced-login-${crypto.randomUUID()}@example.com`);
    const db = database(env.DB);
    const [checked] = await findAdminByEmail(db, admin.email);
    if (!checked) throw new Error("no admin");
    const session = newSession(checked.id);
    await change(admin.email);
    expect(await insertSessionIf(db, session, adminAsRead(admin.email, checked))).toEqual([]);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM sessions WHERE id = ?").bind(session.id).first()).toEqual({ n: 0 });
  });

  it("opens it when only the stored form of a credential changed (a re-hash, a re-seal)", async () => {
    const admin = await newAdmin(`rehashed-${crypto.randomUUID()}@example.com`);
    const db = database(env.DB);
    const [checked] = await findAdminByEmail(db, admin.email);
    if (!checked) throw new Error("no admin");
    await env.DB.prepare("UPDATE admins SET password_hash = 'rehashed', totp_secret = 'resealed' WHERE id = ?").bind(checked.id).run();
    const session = newSession(checked.id);
    expect(await insertSessionIf(db, session, adminAsRead(admin.email, checked))).toEqual([{ id: session.id }]);
  });

  it("refuses to refresh for an admin who is no longer active, even before the revocation lands", async () => {
    const admin = await newAdmin("inactive-refresh@example.com");
    const tokens = await loginAs(admin);
    await env.DB.prepare("UPDATE admins SET is_active = 0 WHERE email = ?").bind(admin.email).run();
    expect((await postJson(`${PREFIX}/refresh`, { refresh_token: tokens.refresh_token })).status).toBe(401);
  });
});
