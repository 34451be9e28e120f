import { createServer } from "node:net";
import { parseArgs } from "node:util";

/** `wrangler dev`'s default; when it is taken, wrangler moves to the next free port. */
const WRANGLER_DEFAULT_PORT = 8787;

/**
 * WebAuthn accepts a `clientDataJSON.origin` only if it is in WEBAUTHN_ORIGINS,
 * port included, so `npm run dev` names the origin it serves on: the port is
 * chosen here (as wrangler would choose it) and both go to wrangler as flags.
 * The host is `localhost`, the local RP id: browsers refuse an IP address as
 * one. A developer who sets WEBAUTHN_ORIGINS (`--var` or `.dev.vars`) keeps it.
 */
export async function localOriginFlags(args: string[], devVars: string): Promise<string[]> {
  const { values } = parseArgs({ args, strict: false, options: { port: { type: "string" }, "local-protocol": { type: "string" } } });
  const chosenPort = typeof values.port === "string" ? values.port : undefined;
  const port = chosenPort ?? String(await firstFreePort(WRANGLER_DEFAULT_PORT));
  const portFlags = chosenPort === undefined ? ["--port", port] : [];
  const originSet = args.some((arg) => /(^|=)WEBAUTHN_ORIGINS:/.test(arg)) || /^WEBAUTHN_ORIGINS=/m.test(devVars);
  if (originSet) return portFlags;
  const protocol = values["local-protocol"] === "https" ? "https" : "http";
  return [...portFlags, "--var", `WEBAUTHN_ORIGINS:${protocol}://localhost:${port}`];
}

async function firstFreePort(from: number): Promise<number> {
  for (let port = from; port < from + 100; port++) if (await isFree(port)) return port;
  throw new Error(`No free port from ${from} to ${from + 99}`);
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, () => server.close(() => resolve(true)));
  });
}
