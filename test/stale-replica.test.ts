import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { encodeBase32 } from "../src/encoding/base32.ts";
import worker from "../src/index.ts";
import { totpSecretContext } from "../src/mfa/second-factor.ts";
import { secretBox } from "../src/mfa/secret-box.ts";
import { countingBindings } from "./support/counting-bindings.ts";
import { advanceSteps, auditTrail, enrol, failuresOf, freezeClock, totpCode } from "./support/mfa.ts";
import { adminWithPasskey, assertion, passkeyRow, signInWith } from "./support/passkeys.ts";
import { takePbkdf2Derivations } from "./support/production-pbkdf2-cap.ts";
import { replicate, replicatePasskeys, staleReplica } from "./support/stale-replica.ts";
import { BASE_URL, bearer, createAdmin, loginAs, PREFIX, postJson, randomClientIp, type TestAdmin } from "./support/worker.ts";

const INCORRECT = '{"detail":"Incorrect email or password"}';
const DISABLED = '{"detail":"Account disabled"}';
const LOCKED = '{"detail":"Too many login attempts. Try again later."}';
const INVALID_CODE = '{"detail":"Invalid MFA code"}';
const NEW_PASSWORD = "a brand new passphrase";

/** A login through the worker whose D1 Sessions API reads the stale replica (or `bindings`, to count them). */
async function login(body: Record<string, unknown>, bindings: Partial<Env> = { DB: staleReplica() }): Promise<Response> {
  const request = new Request(`${BASE_URL}${PREFIX}/login`, {
    method: "POST",
    headers: { "content-type": "application/json", "cf-connecting-ip": randomClientIp() },
    body: JSON.stringify(body),
  });
  const ctx = createExecutionContext();
  const response = await worker.fetch(request, { ...env, ...bindings }, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

const withPassword = (admin: TestAdmin, password = admin.password, extra: Record<string, unknown> = {}) => ({ email: admin.email, password, ...extra });

/** Turns MFA on with a secret sealed under a key MFA_ENCRYPTION_KEYS no longer holds; returns a code of it, which never opens. */
async function unreadableSecret(admin: TestAdmin): Promise<string> {
  const secret = crypto.getRandomValues(new Uint8Array(20));
  const lost = secretBox([{ kid: "removed-too-early", key: crypto.getRandomValues(new Uint8Array(32)) }]);
  await env.DB.prepare("UPDATE admins SET totp_secret = ? WHERE id = ?")
    .bind(await lost.seal(secret, totpSecretContext(admin.id)), admin.id)
    .run();
  return totpCode(encodeBase32(secret));
}

async function sessionCount(adminId: string): Promise<number> {
  const row = await env.DB.prepare("SELECT count(*) AS n FROM sessions WHERE admin_id = ?").bind(adminId).first<{ n: number }>();
  return row?.n ?? 0;
}

describe("a stale replica: credentials changed on the primary a moment ago", () => {
  it("a new password: the old one is refused (and counted, a wrong password now), the new one accepted and never counted", async () => {
    const admin = await createAdmin();
    const { access_token } = await loginAs(admin);
    await replicate(admin.email);
    const changed = await postJson(`${PREFIX}/password`, { current_password: admin.password, new_password: NEW_PASSWORD }, bearer(access_token));
    expect(changed.status).toBe(200);

    // The replica still holds the old hash: checked against it, the new password fails, and the primary decides again.
    const fresh = await login(withPassword(admin, NEW_PASSWORD));
    expect(fresh.status).toBe(200);
    expect(await env.DB.prepare("SELECT 1 FROM login_throttle WHERE email = ?").bind(admin.email.toLowerCase()).first()).toBeNull();
    expect(await auditTrail(admin.id)).not.toContain("login_failed:wrong_password");

    const old = await login(withPassword(admin));
    expect([old.status, await old.text()]).toEqual([401, INCORRECT]);
    expect(await failuresOf(admin.email)).toBe(1);
  });

  it("a disabled admin: the right password gets 403, never a session, and is derived once (the hash did not change)", async () => {
    const admin = await createAdmin();
    await replicate(admin.email);
    // As `npm run admin -- disable` does it: inactive, with a fresh security stamp.
    await env.DB.prepare("UPDATE admins SET is_active = 0, security_stamp = ? WHERE id = ?").bind(crypto.randomUUID(), admin.id).run();
    takePbkdf2Derivations();
    const response = await login(withPassword(admin));
    expect([response.status, await response.text()]).toEqual([403, DISABLED]);
    expect(await sessionCount(admin.id)).toBe(0);
    expect(takePbkdf2Derivations()).toEqual([100_000]);
  });

  it("an MFA reset a moment ago of a secret that cannot be opened: the code the replica would check is ignored, as the primary has no MFA", async () => {
    const admin = await createAdmin();
    const code = await unreadableSecret(admin);
    await replicate(admin.email);
    // As `npm run admin -- mfa-reset` does it, for the admin locked out by the lost key.
    await env.DB.prepare("UPDATE admins SET totp_secret = NULL, totp_last_step = NULL, totp_earlier_steps = 0, security_stamp = ? WHERE id = ?")
      .bind(crypto.randomUUID(), admin.id)
      .run();
    const response = await login(withPassword(admin, admin.password, { mfa_code: code }));
    expect(response.status).toBe(200);
    expect(await sessionCount(admin.id)).toBe(1);
  });

  it("an admin created a moment ago, whom the replica has not seen: signed in by the primary's decision", async () => {
    const email = `new-${crypto.randomUUID()}@example.com`;
    await replicate(email);
    const admin = await createAdmin({ email });
    const { bindings, trips } = countingBindings(staleReplica());
    expect((await login(withPassword(admin), bindings)).status).toBe(200);
    // The replica's "no such admin" was stale: a second primary batch, on the primary's own reading.
    expect(trips).toEqual({ primary: 2, replica: 1, kvReads: 0, kvWrites: 0 });
    expect(await failuresOf(email)).toBe(0);
  });
});

describe("a stale replica: the lockout", () => {
  it("of 9 parallel guesses that all read no lock, 5 are answered 401 and 4 get 429; the right password after them, 429", async () => {
    const admin = await createAdmin();
    await replicate(admin.email);
    const responses = await Promise.all(Array.from({ length: 9 }, (_, i) => login(withPassword(admin, `guess ${i}`))));
    const answers = await Promise.all(responses.map(async (response) => `${response.status} ${await response.text()}`));
    expect(answers.sort()).toEqual([...Array(5).fill(`401 ${INCORRECT}`), ...Array(4).fill(`429 ${LOCKED}`)]);

    // The replica still shows no failure at all.
    const right = await login(withPassword(admin));
    expect([right.status, await right.text()]).toEqual([429, LOCKED]);
    expect(Number(right.headers.get("retry-after"))).toBeGreaterThan(55);
    expect(await sessionCount(admin.id)).toBe(0);
    // Each refusal counted on the lock, as for a lock the read saw.
    const lockout = await env.DB.prepare("SELECT refused_attempts FROM audit_events WHERE admin_id = ? AND event = 'login_locked_out'")
      .bind(admin.id)
      .all<{ refused_attempts: number }>();
    expect(lockout.results).toEqual([{ refused_attempts: 5 }]);
  });

  it("a right password whose TOTP secret cannot be opened, after a lock the replica does not show: 429 like any other attempt, not the 500", async () => {
    const admin = await createAdmin();
    const code = await unreadableSecret(admin);
    await replicate(admin.email);
    for (let i = 0; i < 5; i++) expect((await login(withPassword(admin, `wrong ${i}`, { mfa_code: code }), {})).status).toBe(401);

    const right = await login(withPassword(admin, admin.password, { mfa_code: code }));
    expect([right.status, await right.text()]).toEqual([429, LOCKED]);
    expect(Number(right.headers.get("retry-after"))).toBeGreaterThan(55);
    expect(await sessionCount(admin.id)).toBe(0);
  });

  it("a lock the replica still shows but the primary no longer has: no derivation on the read, then the primary's decision", async () => {
    const admin = await createAdmin();
    for (let i = 0; i < 5; i++) expect((await login(withPassword(admin, `wrong ${i}`), {})).status).toBe(401);
    await replicate(admin.email);
    await env.DB.prepare("UPDATE login_throttle SET locked_until = ? WHERE email = ?")
      .bind(Date.now() - 1, admin.email.toLowerCase())
      .run();
    takePbkdf2Derivations();
    const { bindings, trips } = countingBindings(staleReplica());
    expect((await login(withPassword(admin), bindings)).status).toBe(200);
    expect(takePbkdf2Derivations()).toEqual([100_000]);
    expect(trips).toEqual({ primary: 2, replica: 1, kvReads: 0, kvWrites: 0 });
  });
});

describe("a stale replica: each second factor opens one session", () => {
  afterEach(() => vi.useRealTimers());

  async function enrolled() {
    freezeClock();
    const admin = await createAdmin();
    const enrolment = await enrol(admin);
    advanceSteps(1);
    await replicate(admin.email);
    return { admin, ...enrolment };
  }

  async function raceAndRepeat(admin: TestAdmin, code: string) {
    const before = await sessionCount(admin.id);
    const responses = await Promise.all(Array.from({ length: 4 }, () => login(withPassword(admin, admin.password, { mfa_code: code }))));
    const answers = await Promise.all(responses.map(async (response) => `${response.status} ${await response.text()}`));
    expect(answers.filter((answer) => answer.startsWith("200"))).toHaveLength(1);
    expect(answers.filter((answer) => !answer.startsWith("200"))).toEqual(Array(3).fill(`401 ${INVALID_CODE}`));
    // Once more, alone, the replica still showing the code unspent.
    const again = await login(withPassword(admin, admin.password, { mfa_code: code }));
    expect([again.status, await again.text()]).toEqual([401, INVALID_CODE]);
    expect(await sessionCount(admin.id)).toBe(before + 1);
  }

  it("one TOTP step, racing or not", async () => {
    const { admin, secret } = await enrolled();
    await raceAndRepeat(admin, await totpCode(secret));
  });

  it("one recovery code, racing or not", async () => {
    const { admin, recoveryCodes } = await enrolled();
    await raceAndRepeat(admin, recoveryCodes[0] ?? "");
  });
});

describe("a stale replica: what a guess costs tells nothing", () => {
  it("an unknown email and a wrong password: one replica read, one derivation, one primary batch of the same statements, the same bytes", async () => {
    const admin = await createAdmin();
    const ghost = `ghost-${crypto.randomUUID()}@example.com`;
    await replicate(admin.email);
    await replicate(ghost);
    const costs = [];
    for (const email of [admin.email, ghost]) {
      takePbkdf2Derivations();
      const { bindings, trips, batchSizes } = countingBindings(staleReplica());
      const response = await login({ email, password: "a wrong guess" }, bindings);
      costs.push({ answer: [response.status, await response.text()], trips, batchSizes, derivations: takePbkdf2Derivations() });
    }
    expect(costs[0]).toEqual({
      answer: [401, INCORRECT],
      trips: { primary: 1, replica: 1, kvReads: 0, kvWrites: 0 },
      batchSizes: costs[0]?.batchSizes,
      derivations: [100_000],
    });
    expect(costs[1]).toEqual(costs[0]);
  });
});

describe("a stale replica: passkey sign-in", () => {
  /** A passkey sign-in through the worker whose D1 Sessions API reads the stale replica. */
  async function verifyThroughStaleReplica(response: unknown): Promise<Response> {
    const request = new Request(`${BASE_URL}${PREFIX}/passkeys/login/verify`, {
      method: "POST",
      headers: { "content-type": "application/json", "cf-connecting-ip": randomClientIp() },
      body: JSON.stringify({ response }),
    });
    const ctx = createExecutionContext();
    const answer = await worker.fetch(request, { ...env, DB: staleReplica() }, ctx);
    await waitOnExecutionContext(ctx);
    return answer;
  }

  it("judges the signature counter by the primary's row: the genuine authenticator signs in, a clone the replica cannot show is refused", async () => {
    const admin = await createAdmin();
    const { device, passkey } = await adminWithPasskey(admin);
    await signInWith(device);
    await replicatePasskeys(admin.id);
    // Two more sign-ins reach only the primary: the replica holds a counter two behind.
    await signInWith(device);
    await signInWith(device);
    const primary = (await passkeyRow(passkey.id))?.counter ?? 0;

    const clone = await verifyThroughStaleReplica(await assertion(device, { signCount: primary - 1 }));
    expect([clone.status, await clone.text()]).toEqual([401, '{"detail":"Invalid passkey"}']);
    expect((await passkeyRow(passkey.id))?.counter).toBe(primary);

    const genuine = await verifyThroughStaleReplica(await assertion(device, { signCount: primary + 1 }));
    expect(genuine.status).toBe(200);
    expect((await passkeyRow(passkey.id))?.counter).toBe(primary + 1);
  });
});
