import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { REQUEST_ID_HEADER, RTT_VARS, type SettledTrips, TRIP_HEADERS, TRIPS_PATH } from "../bench/latency/protocol.ts";
import { isReadOnlyStatement, noTrips, requestTrips, simulateLatency } from "../bench/latency/simulated-latency.ts";
import latencyWorker from "../bench/latency/worker.ts";
import { database } from "../src/db/client.ts";
import { sessions } from "../src/db/schema.ts";
import { BASE_URL, bearer, createAdmin, loginAs, PREFIX, randomClientIp } from "./support/worker.ts";

/** The real bindings, wrapped; no time passes: each wait is only written down. */
function simulated() {
  const trips = requestTrips();
  const waited: number[] = [];
  const bindings = simulateLatency(env, { primaryMs: 150, replicaMs: 6 }, trips, async (ms) => {
    waited.push(ms);
  });
  return { ...bindings, trips, waited };
}

describe("which statements only read", () => {
  it("SELECT and WITH … SELECT read; anything that writes or is not a query does not", () => {
    expect(isReadOnlyStatement('select "id", "updated_at" from "admins" where "email" = ?')).toBe(true);
    expect(isReadOnlyStatement("  -- a comment\n  SELECT 'insert or delete' AS words")).toBe(true);
    expect(isReadOnlyStatement("WITH recent AS (SELECT id FROM sessions) SELECT count(*) FROM recent")).toBe(true);
    expect(isReadOnlyStatement("WITH gone AS (SELECT id FROM sessions) DELETE FROM sessions WHERE id IN gone")).toBe(false);
    expect(isReadOnlyStatement('/* upsert */ insert into "login_throttle" ("email") values (?) on conflict do update set "failures" = 1')).toBe(false);
    expect(isReadOnlyStatement('update "admins" set "last_login_at" = ?')).toBe(false);
    expect(isReadOnlyStatement("PRAGMA table_info(admins)")).toBe(false);
  });
});

describe("where each D1 and KV call goes", () => {
  it("the binding's own calls reach the primary, a batch being one round trip", async () => {
    const { DB, trips, waited } = simulated();
    await DB.prepare("SELECT 1").first();
    await DB.prepare("SELECT ?").bind(2).all();
    await DB.batch([DB.prepare("SELECT 1"), DB.prepare("SELECT 2"), DB.prepare("SELECT 3")]);
    await DB.exec("SELECT 1");
    expect(trips.beforeAnswer).toEqual({ ...noTrips(), primary: 4 });
    // Half of the round trip out, half back, for each.
    expect(waited).toEqual(Array(8).fill(75));
  });

  it("a session's reads are replica round trips; a session call with any write is a primary one", async () => {
    const { DB, trips, waited } = simulated();
    const session = DB.withSession("first-unconstrained");
    await session.prepare("SELECT count(*) FROM admins").first();
    await session.batch([session.prepare("SELECT 1"), session.prepare("WITH x AS (SELECT 2) SELECT * FROM x")]);
    expect(trips.beforeAnswer).toEqual({ ...noTrips(), replica: 2 });
    expect(waited).toEqual(Array(4).fill(3));
    await session.prepare("DELETE FROM login_throttle WHERE email = ?").bind("nobody@example.com").run();
    await session.batch([session.prepare("SELECT 1"), session.prepare("DELETE FROM login_throttle WHERE email = 'nobody@example.com'")]);
    expect(trips.beforeAnswer).toEqual({ ...noTrips(), replica: 2, primary: 2 });
  });

  it("a first-primary session sends its first query to the primary, then reads near", async () => {
    const { DB, trips } = simulated();
    const session = DB.withSession("first-primary");
    await session.prepare("SELECT 1").first();
    await session.prepare("SELECT 2").first();
    expect(trips.beforeAnswer).toEqual({ ...noTrips(), primary: 1, replica: 1 });
  });

  it("drizzle over a session reads from the replica, as src/ builds its queries", async () => {
    const { DB, trips } = simulated();
    const nearest = database(DB.withSession("first-unconstrained"));
    await nearest.select().from(sessions).limit(1);
    await nearest.batch([nearest.select().from(sessions).limit(1), nearest.select().from(sessions).limit(2)]);
    expect(trips.beforeAnswer).toEqual({ ...noTrips(), replica: 2 });
  });

  it("KV reads wait the replica figure, writes the primary's", async () => {
    const { REVOCATIONS, trips, waited } = simulated();
    await REVOCATIONS.put("simulated-latency-test", "1", { expirationTtl: 60 });
    await REVOCATIONS.get("simulated-latency-test");
    await REVOCATIONS.get(["simulated-latency-test", "another"]);
    expect(trips.beforeAnswer).toEqual({ ...noTrips(), kvReads: 2, kvWrites: 1 });
    expect(waited).toEqual([75, 75, 3, 3, 3, 3]);
  });

  it("a call still under way when the answer goes out counts after it, as one started later does", async () => {
    const trips = requestTrips();
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { DB, REVOCATIONS } = simulateLatency(env, { primaryMs: 150, replicaMs: 6 }, trips, (ms) => (ms === 75 ? held : Promise.resolve()));
    await REVOCATIONS.get("simulated-latency-test");
    const deferredWrite = REVOCATIONS.put("simulated-latency-test", "1", { expirationTtl: 60 });
    trips.answered = true;
    release();
    await Promise.all([deferredWrite, DB.prepare("SELECT 1").first()]);
    expect(trips).toEqual({ answered: true, beforeAnswer: { ...noTrips(), kvReads: 1 }, afterAnswer: { ...noTrips(), kvWrites: 1, primary: 1 } });
  });

  it("the real bindings still answer through the wrapper", async () => {
    const { DB } = simulated();
    const admin = await createAdmin();
    const row = await DB.withSession("first-unconstrained").prepare("SELECT email FROM admins WHERE id = ?").bind(admin.id).first<{ email: string }>();
    expect(row?.email).toBe(admin.email);
  });
});

describe("the latency worker", () => {
  /** One request through bench/latency/worker.ts, every simulated wait 0 ms, its deferred work finished. */
  async function through(path: string, init: RequestInit, id: string): Promise<Response> {
    const request = new Request(BASE_URL + path, init);
    request.headers.set("cf-connecting-ip", randomClientIp());
    request.headers.set(REQUEST_ID_HEADER, id);
    const ctx = createExecutionContext();
    const response = await latencyWorker.fetch(request, { ...env, [RTT_VARS.primary]: "0", [RTT_VARS.replica]: "0" }, ctx);
    await waitOnExecutionContext(ctx);
    return response;
  }

  const tripsOf = (response: Response) =>
    Object.fromEntries(Object.entries(TRIP_HEADERS).map(([trip, header]) => [trip, Number(response.headers.get(header))]));

  it("/me: one replica read and one KV read, nothing on the primary", async () => {
    const { access_token } = await loginAs(await createAdmin());
    const response = await through(`${PREFIX}/me`, { headers: bearer(access_token) }, "me-1");
    expect(response.status).toBe(200);
    expect(tripsOf(response)).toEqual({ primary: 0, replica: 1, kvReads: 1, kvWrites: 0 });
  });

  it("refresh: one primary batch and one KV read, nothing after answering", async () => {
    const { refresh_token } = await loginAs(await createAdmin());
    const init = { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ refresh_token }) };
    const response = await through(`${PREFIX}/refresh`, init, "refresh-1");
    expect(response.status).toBe(200);
    expect(tripsOf(response)).toEqual({ primary: 1, replica: 0, kvReads: 1, kvWrites: 0 });
    const settled = (await (await latencyWorker.fetch(new Request(BASE_URL + TRIPS_PATH), env, createExecutionContext())).json()) as SettledTrips;
    expect(settled["refresh-1"]).toEqual({ beforeAnswer: { ...noTrips(), primary: 1, kvReads: 1 }, afterAnswer: noTrips() });
  });

  it("logout: one primary batch before answering; its KV write, waitUntil included, read back by request id", async () => {
    const { access_token } = await loginAs(await createAdmin());
    const response = await through(`${PREFIX}/logout`, { method: "POST", headers: bearer(access_token) }, "logout-1");
    expect(response.status).toBe(200);
    expect(tripsOf(response)).toMatchObject({ primary: 1, replica: 0, kvReads: 0 });
    const settled = (await (await latencyWorker.fetch(new Request(BASE_URL + TRIPS_PATH), env, createExecutionContext())).json()) as SettledTrips;
    const trips = settled["logout-1"];
    expect(trips?.beforeAnswer).toMatchObject({ primary: 1, replica: 0, kvReads: 0 });
    // With no simulated wait the write may land before or after the answer; once settled, there is exactly one.
    expect((trips?.beforeAnswer.kvWrites ?? 0) + (trips?.afterAnswer.kvWrites ?? 0)).toBe(1);
    // Read once: the bench gets each request's trips one time.
    const again = (await (await latencyWorker.fetch(new Request(BASE_URL + TRIPS_PATH), env, createExecutionContext())).json()) as SettledTrips;
    expect(again["logout-1"]).toBeUndefined();
  });
});
