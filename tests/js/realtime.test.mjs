// End-to-end tests of the embedded Web PubSub hub with the OFFICIAL clients:
// @azure/web-pubsub (server SDK, REST) and @azure/web-pubsub-client (reliable JSON protocol).
// Starts the stand-alone emulator itself (build it first:
//   dotnet build functions/Smartspace.Realtime.Emulator) and kills it by PID at the end.
// SMARTSPACE_EMULATOR_DLL overrides the path to Smartspace.Realtime.Emulator.dll.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { createHmac } from "node:crypto";
import { WebPubSubServiceClient } from "@azure/web-pubsub";
import { WebPubSubClient } from "@azure/web-pubsub-client";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const dll =
  process.env.SMARTSPACE_EMULATOR_DLL ??
  path.join(repoRoot, "functions/Smartspace.Realtime.Emulator/bin/Debug/net10.0/Smartspace.Realtime.Emulator.dll");
const accessKey = "js-test-access-key-0123456789-abcdefghijklmnopqrstuv";
const hub = "agents";

let emulator;
let endpoint;
let service;
const clients = [];

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function hs256(payload, key) {
  const b64 = (obj) => Buffer.from(JSON.stringify(obj)).toString("base64url");
  const input = `${b64({ alg: "HS256", typ: "JWT" })}.${b64(payload)}`;
  return `${input}.${createHmac("sha256", key).update(input).digest("base64url")}`;
}

const delay = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(predicate, what, timeoutMs = 15000) {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await delay(25);
  }
}

/** A client that records server and group messages; its URL comes from the server SDK's token. */
function newClient(userId, roles = []) {
  const client = new WebPubSubClient({
    getClientAccessUrl: async () => (await service.getClientAccessToken({ userId, roles })).url,
  }, {
    // Short keep-alive: the client pings every 0.5 s and closes if nothing (e.g. no pong) arrives for 3 s.
    // (Also keeps node from idling on the client's 40 s non-abortable monitor delay after stop().)
    keepAliveIntervalInMs: 500,
    keepAliveTimeoutInMs: 3000,
  });
  const seen = { server: [], group: [], connected: [], disconnected: [], stopped: 0, rejoinFailed: [] };
  client.on("server-message", (e) => seen.server.push(e.message.data));
  client.on("group-message", (e) => seen.group.push({ group: e.message.group, data: e.message.data }));
  client.on("connected", (e) => seen.connected.push(e.connectionId));
  client.on("disconnected", (e) => seen.disconnected.push(e.connectionId));
  client.on("stopped", () => seen.stopped++);
  client.on("rejoin-group-failed", (e) => seen.rejoinFailed.push(e.group));
  clients.push(client);
  // start() resolves when the socket opens; the `connected` system message follows
  const start = async () => {
    await client.start();
    await waitFor(() => seen.connected.length === 1, "connected");
  };
  return { client, seen, start };
}

async function abortSocket(connectionId) {
  // test-only hook (WebPubSub__EnableTestHooks=true): drops the TCP connection without a close frame
  const url = `${endpoint}/api/hubs/${hub}/connections/${encodeURIComponent(connectionId)}/:abort?api-version=2024-12-01`;
  const token = hs256({ aud: url, exp: Math.floor(Date.now() / 1000) + 300 }, accessKey);
  const res = await fetch(url, { method: "POST", headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 204, "abort hook");
}

before(async () => {
  if (!process.env.SMARTSPACE_EMULATOR_DLL && !existsSync(dll)) {
    const build = spawnSync("dotnet", ["build", path.join(repoRoot, "functions/Smartspace.Realtime.Emulator")], { stdio: "inherit" });
    assert.equal(build.status, 0, "building the emulator");
  }
  const port = await freePort();
  endpoint = `http://127.0.0.1:${port}`;
  emulator = spawn("dotnet", [dll, "--urls", endpoint], {
    env: {
      ...process.env,
      WebPubSub__AccessKey: accessKey,
      WebPubSub__Hub: hub,
      WebPubSub__EnableTestHooks: "true",
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const start = Date.now();
  for (;;) {
    try {
      const res = await fetch(`${endpoint}/api/health`, { method: "HEAD" });
      if (res.status === 200) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() - start > 30000) throw new Error("emulator did not start");
    await delay(200);
  }
  service = new WebPubSubServiceClient(`Endpoint=${endpoint};AccessKey=${accessKey};Version=1.0;`, hub, {
    allowInsecureConnection: true,
  });
});

after(async () => {
  for (const c of clients) {
    try {
      c.stop();
    } catch {
      /* already stopped */
    }
  }
  await delay(200);
  if (emulator && emulator.exitCode === null) {
    const exited = new Promise((r) => emulator.once("exit", r));
    process.kill(emulator.pid, "SIGTERM");
    const t0 = Date.now();
    await Promise.race([exited, delay(10000)]);
    if (emulator.exitCode === null && emulator.signalCode === null) process.kill(emulator.pid, "SIGKILL");
    console.log(`# emulator stopped in ${Date.now() - t0} ms`);
  }
});

test("health and REST auth with the server SDK", async () => {
  assert.equal(await service.userExists("nobody"), false);
  assert.equal(await service.groupExists("nobody"), false);
});

test("client connects with getClientAccessToken and receives messages sent to its user", async () => {
  const { client, seen, start } = newClient("agent-1");
  await start();
  assert.equal(seen.connected.length, 1);
  assert.equal(await service.userExists("agent-1"), true);

  await service.sendToUser("agent-1", { kind: "json", n: 1 });
  await service.sendToUser("agent-1", "plain text", { contentType: "text/plain" });
  await waitFor(() => seen.server.length === 2, "two server messages");
  assert.deepEqual(seen.server[0], { kind: "json", n: 1 });
  assert.equal(seen.server[1], "plain text");

  // idle for longer than the keep-alive timeout: only the hub's pongs keep the connection up
  await delay(4000);
  assert.equal(seen.disconnected.length, 0, "pong answers ping");
  client.stop();
});

test("group messages via the server SDK reach connections of users added to the group", async () => {
  const { client, seen, start } = newClient("supervisor-1");
  await start();
  await service.group("supervisors").addUser("supervisor-1");
  assert.equal(await service.groupExists("supervisors"), true);
  await service.group("supervisors").sendToAll({ hello: "supervisors" });
  await waitFor(() => seen.server.length === 1, "group send");
  assert.deepEqual(seen.server[0], { hello: "supervisors" });
  client.stop();
});

test("client joinGroup then receives group messages; without the role joinGroup is refused", async () => {
  const { client, seen, start } = newClient("agent-2", ["webpubsub.joinLeaveGroup.conv-1", "webpubsub.sendToGroup.conv-1"]);
  await start();
  await client.joinGroup("conv-1");
  await client.sendToGroup("conv-1", { typing: true }, "json");
  await service.group("conv-1").sendToAll({ from: "server" });
  await waitFor(() => seen.group.length === 1 && seen.server.length === 1, "group + server messages");
  assert.deepEqual(seen.group[0], { group: "conv-1", data: { typing: true } });
  assert.deepEqual(seen.server[0], { from: "server" });

  await assert.rejects(client.joinGroup("conv-2"), (err) => err.errorDetail?.name === "Forbidden");
  client.stop();
});

test("OData filters on sends and filtered group changes with the server SDK; a bad filter is a 400", async () => {
  const a = newClient("filter-a");
  const b = newClient("filter-b");
  await a.start();
  await b.start();

  await service.sendToAll({ only: "a" }, { filter: "userId eq 'filter-a'" });
  await service.sendToAll({ notA: true }, { filter: "startswith(userId, 'filter-') and not (userId eq 'filter-a')" });
  await service.sendToUser("filter-b", { hidden: true }, { filter: "length(userId) gt 100" });
  await waitFor(() => a.seen.server.length === 1 && b.seen.server.length === 1, "filtered sends");

  await service.addConnectionsToGroups(["vip"], "userId in ('filter-b', 'someone-else')");
  await service.group("vip").sendToAll({ vip: true }, { filter: "'vip' in groups" });
  await waitFor(() => b.seen.server.length === 2, "group send after the filtered add");
  await service.removeConnectionsFromGroups(["vip"], "'vip' in groups");
  assert.equal(await service.groupExists("vip"), false);

  await assert.rejects(service.sendToAll({ x: 1 }, { filter: "userId eq" }), (err) => err.statusCode === 400);
  await delay(300);
  assert.deepEqual(a.seen.server, [{ only: "a" }]);
  assert.deepEqual(b.seen.server, [{ notA: true }, { vip: true }]);
  a.client.stop();
  b.client.stop();
});

test("dynamic permissions with the server SDK: grant, check and revoke what a connection may join", async () => {
  const { client, seen, start } = newClient("perm-1");
  await start();
  const id = seen.connected[0];
  await assert.rejects(client.joinGroup("room-1"), (err) => err.errorDetail?.name === "Forbidden");
  assert.equal(await service.hasPermission(id, "joinLeaveGroup", { targetName: "room-1" }), false);

  await service.grantPermission(id, "joinLeaveGroup", { targetName: "room-1" });
  assert.equal(await service.hasPermission(id, "joinLeaveGroup", { targetName: "room-1" }), true);
  await client.joinGroup("room-1");
  await service.group("room-1").sendToAll({ inRoom: true });
  await waitFor(() => seen.server.length === 1, "message to the joined group");

  await service.revokePermission(id, "joinLeaveGroup", { targetName: "room-1" });
  assert.equal(await service.hasPermission(id, "joinLeaveGroup", { targetName: "room-1" }), false);
  await assert.rejects(client.leaveGroup("room-1"), (err) => err.errorDetail?.name === "Forbidden");
  client.stop();
});

test("after an abnormal drop the client recovers; messages sent during the outage arrive exactly once", async () => {
  const { client, seen, start } = newClient("agent-3");
  await start();
  const connectionId = seen.connected[0];
  for (let i = 0; i < 5; i++) await service.sendToUser("agent-3", { n: i });
  await waitFor(() => seen.server.length === 5, "messages before the drop");

  await abortSocket(connectionId);
  // sent while the client is reconnecting (it retries the recovery URL every second)
  for (let i = 5; i < 25; i++) await service.sendToUser("agent-3", { n: i });
  await waitFor(() => seen.server.length >= 25, "messages sent during the outage", 20000);
  await delay(1500); // anything duplicated would have arrived by now
  for (let i = 25; i < 30; i++) await service.sendToUser("agent-3", { n: i });
  await waitFor(() => seen.server.length >= 30, "messages after recovery");
  await delay(500);

  assert.deepEqual(
    seen.server.map((m) => m.n),
    Array.from({ length: 30 }, (_, i) => i),
    "every message once, in order",
  );
  assert.deepEqual(seen.connected, [connectionId], "recovery is not a new connection");
  assert.equal(seen.disconnected.length, 0);
  assert.equal(await service.connectionExists(connectionId), true);
  client.stop();
});

test("when the session is gone (1008) the client starts a new connection and rejoins its groups", async () => {
  const { client, seen, start } = newClient("agent-4", ["webpubsub.joinLeaveGroup"]);
  await start();
  await client.joinGroup("queue-a");
  const first = seen.connected[0];

  await service.closeConnection(first, { reason: "test: drop the session" });
  await waitFor(() => seen.connected.length === 2, "a brand-new connection", 20000);
  assert.notEqual(seen.connected[1], first);
  assert.equal(seen.disconnected.length, 1);
  assert.equal(await service.connectionExists(first), false);

  // autoRejoinGroups re-sent joinGroup on the new connection
  const second = seen.connected[1];
  const members = [];
  for await (const m of await service.group("queue-a").listConnections()) members.push(m.connectionId);
  assert.deepEqual(members, [second]);
  await service.group("queue-a").sendToAll({ after: "rejoin" });
  await waitFor(() => seen.server.length === 1, "group message after rejoin");
  assert.deepEqual(seen.server[0], { after: "rejoin" });
  assert.equal(seen.rejoinFailed.length, 0);
  client.stop();
});
