import { Hono } from "hono";

/**
 * Login's floor: the one thing a successful login cannot avoid, one
 * PBKDF2-HMAC-SHA256 derivation at the worker's 100000 iterations (the
 * production cap), 16-byte salt, 32-byte key, through crypto.subtle as
 * src/passwords/pbkdf2.ts does it — and nothing else: no D1, no KV, no
 * rate limiter, no JWT. It reads the same JSON body login reads, so the two
 * differ only in what login does besides the derivation.
 */
const ITERATIONS = 100_000;
const SALT_BYTES = 16;
const KEY_BYTES = 32;

const encoder = new TextEncoder();
const app = new Hono();

app.post("/", async (c) => {
  const { password } = await c.req.json<{ password?: unknown }>();
  const material = await crypto.subtle.importKey("raw", encoder.encode(String(password)), "PBKDF2", false, ["deriveBits"]);
  // A fresh salt per request, as hashing a new password would use; verifying uses the stored one, same cost.
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations: ITERATIONS }, material, KEY_BYTES * 8);
  return c.json({ derived_bytes: bits.byteLength });
});

// Readiness probe for the harness, costing no derivation.
app.get("/", (c) => c.json({ status: "ok" }));

export default app;
