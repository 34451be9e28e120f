import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { localOriginFlags } from "../../scripts/lib/local-origin.ts";

describe("npm run dev names the origin it serves on in WEBAUTHN_ORIGINS", () => {
  it("uses the port given, in either spelling, and the protocol", async () => {
    expect(await localOriginFlags(["--port", "9123"], "")).toEqual(["--var", "WEBAUTHN_ORIGINS:http://localhost:9123"]);
    expect(await localOriginFlags(["--port=9124", "--local-protocol", "https"], "")).toEqual(["--var", "WEBAUTHN_ORIGINS:https://localhost:9124"]);
  });

  it("without a port, picks wrangler's default or the next free one, and passes it to wrangler", async () => {
    const [portFlag, port, varFlag, origin] = await localOriginFlags([], "");
    expect([portFlag, varFlag, origin]).toEqual(["--port", "--var", `WEBAUTHN_ORIGINS:http://localhost:${port}`]);
    expect(Number(port)).toBeGreaterThanOrEqual(8787);
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(Number(port), resolve));
    try {
      const [, next] = await localOriginFlags([], "");
      expect(Number(next)).toBeGreaterThan(Number(port));
    } finally {
      taken.close();
    }
  });

  it("keeps a WEBAUTHN_ORIGINS the developer set, with --var or in .dev.vars", async () => {
    expect(await localOriginFlags(["--port", "9125", "--var", "DOCS_ENABLED:true", "WEBAUTHN_ORIGINS:https://panel.test"], "")).toEqual([]);
    expect(await localOriginFlags(["--port", "9125", "--var=WEBAUTHN_ORIGINS:https://panel.test"], "")).toEqual([]);
    expect(await localOriginFlags(["--port", "9125"], "JWT_SIGNING_KEYS='[]'\nWEBAUTHN_ORIGINS=https://panel.test\n")).toEqual([]);
  });
});
