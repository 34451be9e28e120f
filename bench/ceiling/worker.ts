import { Hono } from "hono";

/**
 * The ceiling: the cheapest Hono worker that still routes and answers JSON.
 * Whatever it reaches on this machine is what wrangler dev's proxy, workerd
 * and the load generator allow any worker; the real routes are read as a
 * fraction of it.
 */
const app = new Hono();

app.get("/", (c) => c.json({ status: "ok" }));

/**
 * Bench-only diagnostic: echoes the client-address headers the worker
 * receives, so the harness can tell whether wrangler dev passes a
 * client-supplied `cf-connecting-ip` through (the login rate limit keys on it).
 */
app.get("/headers", (c) =>
  c.json({
    "cf-connecting-ip": c.req.header("cf-connecting-ip") ?? null,
    "x-forwarded-for": c.req.header("x-forwarded-for") ?? null,
    "x-real-ip": c.req.header("x-real-ip") ?? null,
  }),
);

export default app;
