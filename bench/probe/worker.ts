import { Hono } from "hono";
import { type CryptoKey, exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT } from "jose";

/**
 * One route per platform operation that the auth routes perform, so the
 * bench can measure what each costs through wrangler dev and local miniflare
 * (CPU per call, by process) instead of guessing. Each route does its one
 * operation on top of /noop; the harness subtracts /noop. The operations
 * mirror the app's: a D1 primary-key read, a D1 batch of four writes (login's
 * write batch has four statements), a KV get of a missing key (a revocation
 * lookup that finds nothing), a KV put in waitUntil (a revocation's deferred
 * write), the rate limiter's `limit`, ES256 sign and verify through jose, and
 * one JSON log line as the app's request log writes it.
 */
interface Env {
  DB: D1Database;
  KV: KVNamespace;
  LIMITER: RateLimit;
}

interface Keys {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  token: string;
}

let keys: Promise<Keys> | null = null;

async function makeKeys(): Promise<Keys> {
  const pair = await generateKeyPair("ES256", { extractable: true });
  // Imported from a JWK, as the app's keyring imports JWT_SIGNING_KEYS.
  const privateKey = (await importJWK({ ...(await exportJWK(pair.privateKey)), alg: "ES256" }, "ES256")) as CryptoKey;
  const publicKey = (await importJWK({ ...(await exportJWK(pair.publicKey)), alg: "ES256" }, "ES256")) as CryptoKey;
  return { privateKey, publicKey, token: await sign(privateKey) };
}

function sign(key: CryptoKey): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sid: crypto.randomUUID() })
    .setProtectedHeader({ alg: "ES256", kid: "probe", typ: "at+jwt" })
    .setIssuer("https://probe.example")
    .setAudience("probe")
    .setSubject(crypto.randomUUID())
    .setJti(crypto.randomUUID())
    .setIssuedAt(now)
    .setExpirationTime(now + 900)
    .sign(key);
}

const app = new Hono<{ Bindings: Env }>();
const ok = { ok: true };

app.get("/", (c) => c.json(ok));
app.get("/noop", (c) => c.json(ok));

app.post("/setup", async (c) => {
  await c.env.DB.batch([
    c.env.DB.prepare("CREATE TABLE IF NOT EXISTS rows (id TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at INTEGER NOT NULL)"),
    c.env.DB.prepare("INSERT OR REPLACE INTO rows (id, value, updated_at) VALUES ('known', 'x', 0)"),
  ]);
  keys ??= makeKeys();
  await keys;
  return c.json(ok);
});

app.get("/log", (c) => {
  console.log(
    JSON.stringify({ level: "info", message: "request", request_id: null, method: "GET", route: "/log", status: 200, duration_ms: 0, outcome: "ok" }),
  );
  return c.json(ok);
});

app.get("/d1-read", async (c) => {
  const row = await c.env.DB.prepare("SELECT id, value, updated_at FROM rows WHERE id = ?").bind("known").first();
  return c.json({ ok: row !== null });
});

app.get("/d1-batch", async (c) => {
  const id = crypto.randomUUID();
  const now = Date.now();
  const insert = c.env.DB.prepare("INSERT INTO rows (id, value, updated_at) VALUES (?, ?, ?)");
  await c.env.DB.batch([
    insert.bind(id, "a", now),
    c.env.DB.prepare("UPDATE rows SET updated_at = ? WHERE id = ?").bind(now, "known"),
    insert.bind(`${id}-b`, "b", now),
    c.env.DB.prepare("DELETE FROM rows WHERE id = ?").bind(`${id}-b`),
  ]);
  return c.json(ok);
});

app.get("/kv-get", async (c) => c.json({ ok: (await c.env.KV.get(`revoked-session:${crypto.randomUUID()}`)) === null }));

app.get("/kv-put", (c) => {
  c.executionCtx.waitUntil(c.env.KV.put(`revoked-session:${crypto.randomUUID()}`, "logout", { expirationTtl: 60 }));
  return c.json(ok);
});

app.get("/ratelimit", async (c) => c.json({ ok: (await c.env.LIMITER.limit({ key: crypto.randomUUID() })).success }));

app.get("/sign", async (c) => {
  keys ??= makeKeys();
  return c.json({ ok: (await sign((await keys).privateKey)).length > 0 });
});

app.get("/verify", async (c) => {
  keys ??= makeKeys();
  const { publicKey, token } = await keys;
  const { payload } = await jwtVerify(token, publicKey, { algorithms: ["ES256"], issuer: "https://probe.example", audience: "probe" });
  return c.json({ ok: typeof payload.sid === "string" });
});

export default app;
