import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { displayWidth } from "../../scripts/lib/visible.ts";

const ROOT = join(import.meta.dirname, "../..");
const WRANGLER = join(ROOT, "node_modules/wrangler/bin/wrangler.js");
const state = mkdtempSync(join(tmpdir(), "admin-cli-"));
afterAll(() => rmSync(state, { recursive: true, force: true }));

/** Runs `npm run admin -- …` the way an operator does, against a throwaway local database. */
function admin(args: string[], password?: string) {
  const env: Record<string, string | undefined> = { ...process.env, ADMIN_PASSWORD: password };
  // The test run's keys are not the CLI's business; wrangler would announce them.
  delete env.JWT_SIGNING_KEYS;
  delete env.MFA_ENCRYPTION_KEYS;
  if (password === undefined) delete env.ADMIN_PASSWORD;
  const result = spawnSync(process.execPath, ["scripts/admin.ts", ...args, "--persist-to", state], {
    cwd: ROOT,
    env: env as NodeJS.ProcessEnv,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  return { status: result.status, stdout: result.stdout.trim(), stderr: result.stderr.trim() };
}

const PASSWORD = "operator chosen passphrase";

interface LegacyVectors {
  vectors: { hash: string; password: string }[];
}
const legacy: LegacyVectors = JSON.parse(readFileSync(join(ROOT, "test/fixtures/legacy-hashes.json"), "utf8"));

describe("npm run admin", () => {
  it("creates an admin from ADMIN_PASSWORD, never argv", () => {
    const result = admin(["create", "--email", "Ops@Example.com", "--name", "Ops", "--role", "owner"], PASSWORD);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Created admin Ops@example\.com \([0-9a-f-]{36}, role owner\)$/);
  });

  it("refuses a duplicate email with one line and a non-zero exit", () => {
    const result = admin(["create", "--email", "ops@example.com", "--name", "Again"], PASSWORD);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe("error: An admin with email ops@example.com already exists");
  });

  it("refuses a short password", () => {
    const result = admin(["create", "--email", "short@example.com", "--name", "S"], "too short");
    expect(result.status).toBe(1);
    expect(result.stderr).toBe("error: The password must be at least 12 characters long");
  });

  it("asks for ADMIN_PASSWORD when there is no terminal to prompt on", () => {
    const result = admin(["set-password", "--email", "ops@example.com"]);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe("error: Set ADMIN_PASSWORD or run in a terminal to be prompted for the password");
  });

  it("lists admins without hashes", () => {
    const result = admin(["list"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("Ops@example.com");
    expect(result.stdout).toContain("owner");
    expect(result.stdout).toMatch(/ pbkdf2$/m);
    expect(result.stdout).toMatch(/^ID\s+EMAIL\s+NAME\s+ROLE\s+ACTIVE\s+MFA\s+PASSKEYS\s+CREATED/);
    expect(result.stdout).toMatch(/Ops@example\.com\s+Ops\s+owner\s+yes\s+off\s+0\s/);
    expect(result.stdout).not.toContain("$");
  });

  it("disables an admin", () => {
    expect(admin(["disable", "--email", "ops@example.com"]).stdout).toBe("Disabled ops@example.com; 0 session(s) revoked");
    expect(admin(["list"]).stdout).toMatch(/Ops@example\.com\s+Ops\s+owner\s+no/);
  });

  it("enables an admin", () => {
    expect(admin(["enable", "--email", "ops@example.com"]).stdout).toBe("Enabled ops@example.com");
  });

  it("revokes an admin's sessions", () => {
    expect(admin(["revoke-sessions", "--email", "ops@example.com"]).stdout).toBe("Revoked 0 session(s) of ops@example.com");
  });

  it("lists an admin's passkeys, and resets them", () => {
    expect(admin(["passkeys", "--email", "ops@example.com"]).stdout).toBe("No passkeys for ops@example.com");
    expect(admin(["passkey-reset", "--email", "ops@example.com"]).stdout).toBe(
      "Passkeys reset for ops@example.com: 0 removed, the password logs in; 0 session(s) revoked",
    );
  });

  it("resets an admin's MFA", () => {
    expect(admin(["mfa-reset", "--email", "ops@example.com"]).stdout).toBe(
      "MFA reset for ops@example.com (was off): the password alone logs in; 0 session(s) revoked",
    );
  });

  it("sets a password", () => {
    expect(admin(["set-password", "--email", "ops@example.com"], "another long passphrase").stdout).toBe(
      "Password changed for ops@example.com; 0 session(s) revoked",
    );
  });

  it("reads the audit log, newest first, filtered by email", () => {
    const result = admin(["audit", "--email", "OPS@example.com", "--limit", "2"]);
    expect(result.status).toBe(0);
    const lines = result.stdout.split("\n");
    expect(lines[0]).toMatch(/^TIME\s+EVENT\s+REASON/);
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/sessions_revoked\s+password_changed/);
    expect(lines[2]).toMatch(/mfa_reset\s+mfa_reset/);
    expect(admin(["audit", "--limit", "0"]).status).toBe(2);
  });

  it("refuses an unknown admin", () => {
    const result = admin(["disable", "--email", "ghost@example.com"]);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe("error: No admin with email ghost@example.com");
  });

  it.each([
    [["create", "--email", "x@example.com", "--nmae", "X"], /^error: Unknown option '--nmae'\..* \(npm run admin -- --help\)$/],
    [["create", "--email", "x@example.com"], /^error: create needs --name \(npm run admin -- --help\)$/],
    [["frobnicate"], /^error: Unknown command "frobnicate" \(npm run admin -- --help\)$/],
  ])("refuses bad usage %j with exit 2 and one line", (args, line) => {
    const result = admin(args);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(line);
    expect(result.stderr.split("\n")).toHaveLength(1);
  });
});

describe("npm run admin -- import", () => {
  const file = join(state, "admins.json");
  const [passlib, , bcrypt] = legacy.vectors;
  writeFileSync(
    file,
    JSON.stringify([
      { email: "from-passlib@example.com", name: "Passlib", role: "admin", is_active: true, password_hash: passlib?.hash },
      { email: "from-bcrypt@example.com", name: "Bcrypt", role: "admin", is_active: true, password_hash: bcrypt?.hash },
    ]),
  );

  it("imports admins with their hashes and says which scheme each has", () => {
    const result = admin(["import", "--file", file]);
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("Imported 2 admin(s), skipped 0");
    const listed = admin(["list"]).stdout;
    expect(listed).toMatch(/from-passlib@example\.com .* passlib pbkdf2 \(imported\)$/m);
    expect(listed).toMatch(/from-bcrypt@example\.com .* bcrypt \(imported\)$/m);
  });

  it("skips what exists on a re-run, and exits 0", () => {
    const result = admin(["import", "--file", file]);
    expect(result.status).toBe(0);
    expect(result.stdout.split("\n")).toEqual([
      "Imported 0 admin(s), skipped 2",
      "  skipped entry 1 (from-passlib@example.com): an admin with this email already exists",
      "  skipped entry 2 (from-bcrypt@example.com): an admin with this email already exists",
    ]);
  });

  it("exits 1 when an entry is invalid, after importing the valid ones", () => {
    const mixed = join(state, "mixed.json");
    writeFileSync(
      mixed,
      JSON.stringify([
        { email: "nohash@example.com", name: "No hash" },
        { email: "ok@example.com", name: "Ok", password_hash: passlib?.hash },
        { email: "cut@example.com", name: "Cut", password_hash: "$pbkdf2-sha256$29000$aC0lBADgnNO6lzImBOC89w$zQ" },
      ]),
    );
    const result = admin(["import", "--file", mixed]);
    expect(result.status).toBe(1);
    expect(result.stdout.split("\n")).toEqual([
      "Imported 1 admin(s), skipped 2",
      "  skipped entry 1 (nohash@example.com): password_hash is missing",
      "  skipped entry 3 (cut@example.com): password_hash has a PBKDF2-SHA256 digest of 1 byte(s): passlib and this service make 32",
    ]);
  });

  it("refuses a file that is not there or not JSON, in one line", () => {
    writeFileSync(join(state, "broken.json"), "[{");
    expect(admin(["import", "--file", join(state, "missing.json")]).stderr).toMatch(/^error: Cannot read .*missing\.json: ENOENT/);
    expect(admin(["import", "--file", join(state, "broken.json")]).stderr).toMatch(/^error: .*broken\.json is not JSON: /);
    writeFileSync(join(state, "object.json"), '{"admins": []}');
    expect(admin(["import", "--file", join(state, "object.json")]).stderr).toMatch(/^error: .*object\.json must hold a JSON array of admins$/);
  });
});

describe("npm run admin -- keys generate", () => {
  it("prints a fresh private ES256 JWK with a kid", () => {
    const first = JSON.parse(admin(["keys", "generate"]).stdout);
    const second = JSON.parse(admin(["keys", "generate"]).stdout);
    expect(first).toMatchObject({ kty: "EC", crv: "P-256" });
    expect(Object.keys(first).sort()).toEqual(["crv", "d", "kid", "kty", "x", "y"]);
    expect(first.kid).not.toBe(second.kid);
  });

  it("--mfa prints a fresh AES-256 key with a kid, for MFA_ENCRYPTION_KEYS", () => {
    const first = JSON.parse(admin(["keys", "generate", "--mfa"]).stdout);
    const second = JSON.parse(admin(["keys", "generate", "--mfa"]).stdout);
    expect(Object.keys(first)).toEqual(["kid", "k"]);
    expect(first.kid).toMatch(/^mfa-\d{4}-\d{2}-\d{2}-[0-9a-f]{8}$/);
    expect(Buffer.from(first.k, "base64url")).toHaveLength(32);
    expect(first.kid).not.toBe(second.kid);
    expect(first.k).not.toBe(second.k);
  });
});

describe("what the CLI prints from storage", () => {
  // Every command applies pending migrations first: the tables are there.
  beforeAll(() => admin(["list"]), 60_000);

  /** Writes to the throwaway local D1 as anything else might have: a request's headers, an import file. */
  function execute(sql: string): void {
    const result = spawnSync(process.execPath, [WRANGLER, "d1", "execute", "DB", "--local", "--persist-to", state, "--command", sql], {
      cwd: ROOT,
      encoding: "utf8",
    });
    if (result.status !== 0) throw new Error(result.stderr);
  }

  it("never carries a control character to the operator's terminal: escapes are made visible", () => {
    execute(
      "INSERT INTO audit_events (at, event, reason, email, user_agent) VALUES " +
        "(4102444800000, 'login_failed', 'wrong_password', 'victim@example.com', 'evil' || char(27) || '[2J' || char(27) || ']0;pwned' || char(7) || char(155) || 'x' || char(8238) || 'y\\z')",
    );
    const file = join(state, "escapes.json");
    writeFileSync(file, JSON.stringify([{ email: "escape@example.com", name: "Ops\u001b[31mRED\nfake row", password_hash: legacy.vectors[0]?.hash }]));
    expect(admin(["import", "--file", file]).status).toBe(0);

    const audit = admin(["audit", "--email", "victim@example.com"]).stdout;
    const list = admin(["list"]).stdout;
    // biome-ignore lint/suspicious/noControlCharactersInRegex: no control character may reach the terminal.
    const controls = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/;
    for (const output of [audit, list]) expect(output).not.toMatch(controls);
    expect(audit).toContain("evil\\x1b[2J\\x1b]0;pwned\\x07\\x9bx\\u202ey\\\\z");
    expect(list).toContain("Ops\\x1b[31mRED\\x0afake row");
  });

  it("escapes characters that render as nothing (tags, joiners, variation selectors), and what errors echo of a file", () => {
    const file = join(state, "invisible.json");
    writeFileSync(
      file,
      JSON.stringify([{ email: "invisible@example.com", name: "A\u{e0068}\u{e0069}B\u034fC\ufe0fD\u3164E", password_hash: legacy.vectors[0]?.hash }]),
    );
    expect(admin(["import", "--file", file]).status).toBe(0);
    expect(admin(["list"]).stdout).toContain("A\\u{e0068}\\u{e0069}B\\u034fC\\ufe0fD\\u3164E");

    const broken = join(state, "hostile.json");
    writeFileSync(broken, "\u001b]0;PWNED\u0007\u001b[2J[]");
    const result = admin(["import", "--file", broken]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("\\x1b]0;PWNED\\x07");
    // biome-ignore lint/suspicious/noControlCharactersInRegex: no control character may reach the terminal.
    expect(result.stderr).not.toMatch(/[\u0000-\u001f]/);
  });

  it("escapes what it echoes once, flags included, and keeps columns aligned whatever the characters", () => {
    const email = admin(["disable", "--email", "a\u001b[2J\u202eb@x.com"]);
    expect(email.stderr).toMatch(/^error: Invalid email "a\\x1b\[2J\\u202eb@x\.com": /);
    const flag = admin(["list", "--env", "x\u001b[31mRED\u0007"]);
    expect([flag.status, flag.stderr]).toEqual([2, "error: --env takes an environment name of wrangler.toml, like staging (npm run admin -- --help)"]);

    execute(
      "INSERT INTO audit_events (at, event, email, ip) VALUES " +
        "(4102444800002, 'login_failed', 'aligned@example.com', '198.18.9.9'), " +
        `(4102444800003, 'login_failed', 'z${"\u0301".repeat(40)}ａａａ@example.com', '198.18.9.9')`,
    );
    const rows = admin(["audit", "--limit", "2"]).stdout.split("\n").slice(1);
    const ipColumn = rows.map((row) => displayWidth(row.slice(0, row.indexOf("198.18.9.9"))));
    expect(ipColumn[0]).toBe(ipColumn[1]);
  });

  it("shows an admin's passkeys without key or credential id, escaped, and a reset removes them", () => {
    execute(
      "INSERT INTO admins (id, email, name, password_hash, created_at, updated_at, passkey_only) VALUES ('pk-admin', 'keys@example.com', 'Keys', 'x', 0, 0, 1); " +
        "INSERT INTO passkeys (id, admin_id, credential_id, public_key, counter, transports, aaguid, backed_up, name, created_at, last_used_at) VALUES " +
        "('pk-1', 'pk-admin', 'SECRET-CREDENTIAL-ID', 'SECRET-PUBLIC-KEY', 3, '[\"hybrid\",\"internal\"]', 'aaguid', 1, 'Phone' || char(27) || '[2J', 4102444800000, NULL)",
    );
    const listed = admin(["passkeys", "--email", "KEYS@example.com"]).stdout;
    expect(listed).not.toContain("SECRET");
    const [header, row, ...rest] = listed.split("\n");
    expect(header).toMatch(/^ID\s+NAME\s+CREATED\s+LAST USED\s+BACKED UP\s+TRANSPORTS$/);
    expect(row).toMatch(/^pk-1\s+Phone\\x1b\[2J\s+2100-01-01T00:00:00\.000Z\s+never\s+yes\s+hybrid,internal$/);
    expect(rest).toEqual([]);
    expect(admin(["list"]).stdout).toMatch(/keys@example\.com\s+Keys\s+admin\s+yes\s+off\s+1 only\s/);
    expect(admin(["passkey-reset", "--email", "keys@example.com"]).stdout).toBe(
      "Passkeys reset for keys@example.com: 1 removed, passkey-only turned off, the password logs in; 0 session(s) revoked",
    );
    expect(admin(["passkeys", "--email", "keys@example.com"]).stdout).toBe("No passkeys for keys@example.com");
  });

  it("shows how many attempts a lockout refused, counted on its row", () => {
    execute("INSERT INTO audit_events (at, event, email, refused_attempts) VALUES (4102444800001, 'login_locked_out', 'hammered@example.com', 50)");
    const [header, row] = admin(["audit", "--email", "hammered@example.com"]).stdout.split("\n");
    expect(header).toMatch(/^TIME\s+EVENT\s+REASON\s+COUNT\s+REFUSED\s+EMAIL/);
    expect(row).toMatch(/^2100-01-01T00:00:00\.001Z\s+login_locked_out\s+50\s+hammered@example\.com$/);
  });

  it("lists each client's hourly tally of attempts on unknown emails among the events, with its counts", () => {
    execute("INSERT INTO unknown_email_attempts (client, hour, failures, lockouts, refused_attempts) VALUES ('2001:db8:7::/64', 4102448400000, 25, 1, 40)");
    const [header, failed, locked] = admin(["audit", "--limit", "2"]).stdout.split("\n");
    expect(header).toMatch(/^TIME\s+EVENT\s+REASON\s+COUNT\s+REFUSED\s+EMAIL/);
    expect(failed).toMatch(/^2100-01-01T01:00:00\.000Z\s+login_failed\s+unknown_email\s+25\s+2001:db8:7::\/64$/);
    expect(locked).toMatch(/^2100-01-01T01:00:00\.000Z\s+login_locked_out\s+unknown_email\s+1\s+40\s+2001:db8:7::\/64$/);
  });
});
