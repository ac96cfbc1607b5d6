// End-to-end tests of the embedded Web PubSub hub with the OFFICIAL clients:
// @azure/web-pubsub (server SDK, REST) and @azure/web-pubsub-client (reliable JSON protocol).
// Starts the stand-alone emulator itself (see support/emulator.mjs) and kills it by PID at the end.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startEmulator, delay, waitFor } from "./support/emulator.mjs";

let emulator;
let service;
let newClient;
let abortSocket;

before(async () => {
  emulator = await startEmulator();
  ({ service, newClient, abortSocket } = emulator);
});

after(() => emulator?.stop());

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
  await waitFor(() => seen.group.length === 1, "group send");
  assert.deepEqual(seen.group, [{ group: "supervisors", data: { hello: "supervisors" } }]); // issue 20: not a server message
  assert.deepEqual(seen.server, []);
  client.stop();
});

test("client joinGroup then receives group messages; without the role joinGroup is refused", async () => {
  const { client, seen, start } = newClient("agent-2", ["webpubsub.joinLeaveGroup.conv-1", "webpubsub.sendToGroup.conv-1"]);
  await start();
  await client.joinGroup("conv-1");
  await client.sendToGroup("conv-1", { typing: true }, "json");
  await service.group("conv-1").sendToAll({ from: "server" });
  await waitFor(() => seen.group.length === 2, "the client's and the server's group messages");
  assert.deepEqual(seen.group, [
    { group: "conv-1", data: { typing: true }, fromUserId: "agent-2" },
    { group: "conv-1", data: { from: "server" } }, // issue 20: a server send to a group is a group message too
  ]);
  assert.deepEqual(seen.server, []);

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
  await waitFor(() => b.seen.group.length === 1, "group send after the filtered add");
  await service.removeConnectionsFromGroups(["vip"], "'vip' in groups");
  assert.equal(await service.groupExists("vip"), false);

  await assert.rejects(service.sendToAll({ x: 1 }, { filter: "userId eq" }), (err) => err.statusCode === 400);
  await delay(300);
  assert.deepEqual(a.seen.server, [{ only: "a" }]);
  assert.deepEqual(b.seen.server, [{ notA: true }]);
  assert.deepEqual(a.seen.group, []);
  assert.deepEqual(b.seen.group, [{ group: "vip", data: { vip: true } }]);
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
  await waitFor(() => seen.group.length === 1, "message to the joined group");
  assert.deepEqual(seen.group, [{ group: "room-1", data: { inRoom: true } }]);

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
  await waitFor(() => seen.group.length === 1, "group message after rejoin");
  assert.deepEqual(seen.group, [{ group: "queue-a", data: { after: "rejoin" } }]);
  assert.deepEqual(seen.server, []);
  assert.equal(seen.rejoinFailed.length, 0);
  client.stop();
});
