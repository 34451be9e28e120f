import { env, exports } from "cloudflare:workers";
import { hashPassword } from "../../src/passwords/hash-password.ts";

export const BASE_URL = "https://auth.test";
export const PREFIX = "/api/v1/admin/auth";

/**
 * A request through the real worker entrypoint, as a client would send it.
 * Each comes from its own client IP unless the test names one, so the per-IP
 * login limit (tested on its own) stays on without throttling the suite.
 */
export function call(path: string, init?: RequestInit): Promise<Response> {
  const request = new Request(BASE_URL + path, init);
  if (!request.headers.has("cf-connecting-ip")) request.headers.set("cf-connecting-ip", randomClientIp());
  return exports.default.fetch(request);
}

/** An address from 198.18.0.0/15, the range set aside for benchmarks and tests (RFC 2544). */
export function randomClientIp(): string {
  const [a = 0, b = 0, c = 0] = crypto.getRandomValues(new Uint8Array(3));
  return `198.${18 + (a & 1)}.${b}.${c}`;
}

export function postJson(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return call(path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
}

export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

export interface TestAdmin {
  id: string;
  email: string;
  password: string;
}

let counter = 0;

/** Inserts an admin straight into D1, the way the admin CLI does. */
export async function createAdmin(overrides: { email?: string; password?: string; isActive?: boolean; passwordHash?: string } = {}): Promise<TestAdmin> {
  counter += 1;
  const admin = {
    id: crypto.randomUUID(),
    email: overrides.email ?? `admin${counter}-${crypto.randomUUID().slice(0, 6)}@example.com`,
    password: overrides.password ?? "correct horse battery staple",
  };
  const hash = overrides.passwordHash ?? (await hashPassword(admin.password, 100_000));
  const now = Date.now();
  await env.DB.prepare("INSERT INTO admins (id, email, name, role, password_hash, is_active, created_at, updated_at) VALUES (?, ?, ?, 'admin', ?, ?, ?, ?)")
    .bind(admin.id, admin.email, "Test Admin", hash, overrides.isActive === false ? 0 : 1, now, now)
    .run();
  return admin;
}

export interface LoginBody {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
  user: Record<string, unknown>;
}

export async function loginAs(admin: TestAdmin): Promise<LoginBody> {
  const response = await postJson(`${PREFIX}/login`, { email: admin.email, password: admin.password });
  if (response.status !== 200) throw new Error(`login failed: ${response.status} ${await response.text()}`);
  return response.json();
}
