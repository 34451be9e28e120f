import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import {
  assertion,
  authenticator,
  passkeyRow,
  registerPasskey,
  registrationOptions,
  sessionCount,
  verifyRegistration,
  verifySignIn,
} from "./support/passkeys.ts";
import { createAdmin, loginAs } from "./support/worker.ts";

// The first passkey route loads @simplewebauthn/server through Vite's transform: slow once, on a busy machine.
beforeAll(() => import("@simplewebauthn/server"), 60_000);

describe("passkey races, decided in one D1 batch", () => {
  it.each([
    ["a passkey with a counter", false],
    ["a synced passkey, whose counter stays 0: only the challenge's single use stops the copies", true],
  ])("10 copies of one assertion sent at once open exactly one session: %s", async (_name, backedUp) => {
    const admin = await createAdmin();
    const { access_token } = await loginAs(admin);
    const { device, passkey } = await registerPasskey(access_token, authenticator(), { backedUp });
    const before = await sessionCount(admin.id);
    const copy = await assertion(device);
    const responses = await Promise.all(Array.from({ length: 10 }, () => verifySignIn(copy)));
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([200, 401, 401, 401, 401, 401, 401, 401, 401, 401]);
    expect(await sessionCount(admin.id)).toBe(before + 1);
    expect((await passkeyRow(passkey.id))?.counter).toBe(backedUp ? 0 : 1);
  });

  it("10 registrations sent at once with one challenge store exactly one passkey", async () => {
    const admin = await createAdmin();
    const { access_token } = await loginAs(admin);
    const registration = await authenticator().create(await registrationOptions(access_token));
    const responses = await Promise.all(Array.from({ length: 10 }, () => verifyRegistration(access_token, registration)));
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses[0]).toBe(200);
    expect(statuses.slice(1).every((status) => status === 400 || status === 409)).toBe(true);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM passkeys WHERE admin_id = ?").bind(admin.id).first("n")).toBe(1);
  });

  it("10 registrations with one challenge but different credentials still store one passkey", async () => {
    const admin = await createAdmin();
    const { access_token } = await loginAs(admin);
    const options = await registrationOptions(access_token);
    const registrations = await Promise.all(Array.from({ length: 10 }, () => authenticator().create(options)));
    const responses = await Promise.all(registrations.map((registration) => verifyRegistration(access_token, registration)));
    expect(responses.filter((response) => response.status === 200)).toHaveLength(1);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM passkeys WHERE admin_id = ?").bind(admin.id).first("n")).toBe(1);
  });
});
