// Issue 20, with the OFFICIAL packages: Azure Web PubSub delivers a server's send to a group
// (`group(g).sendToAll`, POST /api/hubs/{hub}/groups/{g}/:send) as a group message naming the group, so
// @azure/web-pubsub-client raises `group-message` (never `server-message`) — whoever made the membership
// (the server: addUser, addConnection; the client: joinGroup, autoRejoinGroups) and on both JSON
// subprotocols. Sends to all, to a user and to a connection stay `server-message`.
// Starts the stand-alone emulator itself (see support/emulator.mjs) and kills it by PID at the end.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startEmulator, protocols, waitFor } from "./support/emulator.mjs";

let emulator;
let service;
let newClient;

before(async () => {
  emulator = await startEmulator();
  ({ service, newClient } = emulator);
});

after(() => emulator?.stop());

const bytes = (data) => (data instanceof ArrayBuffer ? [...new Uint8Array(data)] : data);

/** Sends a server message to the user and waits for it: one connection's frames arrive in order, so
 * anything sent to it before the marker has arrived by then. */
async function drain(userId, seen) {
  const before = seen.server.length;
  await service.sendToUser(userId, { marker: before });
  await waitFor(() => seen.server.length === before + 1, `the marker for ${userId}`);
  assert.deepEqual(seen.server.pop(), { marker: before });
}

for (const protocol of Object.keys(protocols)) {
  test(`${protocol}: a server's send to a group the client joined is a group-message naming the group (JSON, text, binary)`, async () => {
    const userId = `joiner-${protocol}`;
    const { client, seen, start } = newClient(userId, ["webpubsub.joinLeaveGroup.g1"], { protocol });
    await start();
    await client.joinGroup("g1");

    await service.group("g1").sendToAll({ hi: 1 });
    await service.group("g1").sendToAll("plain text", { contentType: "text/plain" });
    await service.group("g1").sendToAll(new Uint8Array([1, 2, 3]));
    await waitFor(() => seen.group.length === 3, "three group messages");
    assert.deepEqual(
      seen.group.map((m) => ({ ...m, data: bytes(m.data) })),
      [
        { group: "g1", data: { hi: 1 } },
        { group: "g1", data: "plain text" },
        { group: "g1", data: [1, 2, 3] },
      ],
    );
    await drain(userId, seen);
    assert.deepEqual(seen.server, [], "no group send raised server-message");
    client.stop();
  });

  test(`${protocol}: sends to all, to a user and to a connection stay server-messages`, async () => {
    const userId = `server-${protocol}`;
    const { client, seen, start } = newClient(userId, [], { protocol, groups: ["token-group"] });
    await start();

    await service.sendToAll({ to: "all" }, { filter: `userId eq '${userId}'` });
    await service.sendToUser(userId, { to: "user" });
    await service.sendToConnection(seen.connected[0], { to: "connection" });
    await waitFor(() => seen.server.length === 3, "three server messages");
    assert.deepEqual(seen.server, [{ to: "all" }, { to: "user" }, { to: "connection" }]);
    assert.deepEqual(seen.group, []);
    client.stop();
  });
}

test("group sends with filter and excludedConnections reach the chosen members as group-messages, on both protocols", async () => {
  const a = newClient("member-a", [], { groups: ["g2"] });
  const b = newClient("member-b", [], { groups: ["g2"], protocol: "json.webpubsub.azure.v1" });
  const c = newClient("member-c", [], { groups: ["g2"] });
  await Promise.all([a.start(), b.start(), c.start()]);

  await service.group("g2").sendToAll({ n: 1 }, { filter: "userId ne 'member-a'" });
  await service.group("g2").sendToAll({ n: 2 }, { excludedConnections: [b.seen.connected[0]] });
  await service.group("g2").sendToAll("n3", { contentType: "text/plain", filter: "userId ne 'member-c'", excludedConnections: [a.seen.connected[0]] });
  await service.group("g2").sendToAll({ n: 4 });
  for (const m of [a, b, c]) await waitFor(() => m.seen.group.at(-1)?.data?.n === 4, "the last group send");

  assert.deepEqual(a.seen.group, [{ group: "g2", data: { n: 2 } }, { group: "g2", data: { n: 4 } }]);
  assert.deepEqual(b.seen.group, [{ group: "g2", data: { n: 1 } }, { group: "g2", data: "n3" }, { group: "g2", data: { n: 4 } }]);
  assert.deepEqual(c.seen.group, [{ group: "g2", data: { n: 1 } }, { group: "g2", data: { n: 2 } }, { group: "g2", data: { n: 4 } }]);
  for (const m of [a, b, c]) {
    assert.deepEqual(m.seen.server, []);
    m.client.stop();
  }
});

test("membership made by the server (addUser/removeUser, addConnection/removeConnection, removeUserFromAllGroups) leads to group-messages", async () => {
  const { client, seen, start } = newClient("u1");
  await start();
  const connectionId = seen.connected[0];

  await service.group("by-user").addUser("u1");
  await service.group("by-connection").addConnection(connectionId);
  await service.group("by-user").sendToAll({ step: 1 });
  await service.group("by-connection").sendToAll({ step: 2 });
  await waitFor(() => seen.group.length === 2, "group messages after the server's adds");

  await service.group("by-user").removeUser("u1");
  await service.group("by-connection").removeConnection(connectionId);
  await service.group("by-user").sendToAll({ step: "removed" });
  await service.group("by-connection").sendToAll({ step: "removed" });
  await drain("u1", seen);

  await service.group("g-a").addUser("u1");
  await service.group("g-b").addUser("u1");
  await service.group("g-a").sendToAll({ step: 3 });
  await service.group("g-b").sendToAll({ step: 4 });
  await waitFor(() => seen.group.length === 4, "group messages of two groups");
  await service.removeUserFromAllGroups("u1");
  await service.group("g-a").sendToAll({ step: "removed from all" });
  await service.group("g-b").sendToAll({ step: "removed from all" });
  await drain("u1", seen);

  assert.deepEqual(seen.group, [
    { group: "by-user", data: { step: 1 } },
    { group: "by-connection", data: { step: 2 } },
    { group: "g-a", data: { step: 3 } },
    { group: "g-b", data: { step: 4 } },
  ]);
  assert.deepEqual(seen.server, []);
  client.stop();
});

test("reliable protocol: group-messages sent while the socket is down are replayed once, in order, as group-messages", async () => {
  const { client, seen, start } = newClient("recovering", ["webpubsub.joinLeaveGroup.live"]);
  await start();
  await client.joinGroup("live");
  await emulator.abortSocket(seen.connected[0]);
  for (let n = 0; n < 10; n++) await service.group("live").sendToAll({ n });
  await waitFor(() => seen.group.length >= 10, "the outage's group messages", 20000);
  await drain("recovering", seen);

  assert.deepEqual(seen.group, Array.from({ length: 10 }, (_, n) => ({ group: "live", data: { n } })));
  assert.equal(seen.connected.length, 1, "recovered, not reconnected");
  assert.deepEqual(seen.server, []);
  client.stop();
});

async function members(group) {
  const ids = [];
  for await (const m of await service.group(group).listConnections()) ids.push(m.connectionId);
  return ids;
}

for (const protocol of Object.keys(protocols)) {
  test(`${protocol}: after a forced new connection autoRejoinGroups rejoins and group sends are group-messages again`, async () => {
    const userId = `rejoiner-${protocol}`;
    const { client, seen, start } = newClient(userId, ["webpubsub.joinLeaveGroup.g1"], { protocol });
    await start();
    await client.joinGroup("g1");
    await service.group("g1").sendToAll({ before: "reconnect" });
    await waitFor(() => seen.group.length === 1, "group message before");

    await service.closeConnection(seen.connected[0], { reason: "test: force a new connection" });
    await waitFor(() => seen.connected.length === 2, "a brand-new connection", 20000);
    // the rejoin is a joinGroup the client sends after `connected`: wait until the hub has it
    await waitFor(async () => (await members("g1")).includes(seen.connected[1]), "the rejoin");
    await service.group("g1").sendToAll({ after: "rejoin" });
    await waitFor(() => seen.group.length === 2, "group message after the rejoin");

    assert.deepEqual(seen.group, [{ group: "g1", data: { before: "reconnect" } }, { group: "g1", data: { after: "rejoin" } }]);
    assert.deepEqual(seen.server, []);
    assert.deepEqual(seen.rejoinFailed, []);
    client.stop();
  });
}

test("a group or user whose name has a slash is the same name over REST as on the socket (the SDK sends it as %2F)", async () => {
  const { client, seen, start } = newClient("team/u1", ["webpubsub.joinLeaveGroup"]);
  await start();
  await client.joinGroup("team/a");
  assert.equal(await service.groupExists("team/a"), true);
  assert.equal(await service.userExists("team/u1"), true);

  await service.group("team/a").sendToAll({ to: "group" });
  await service.sendToUser("team/u1", { to: "user" });
  await waitFor(() => seen.server.length === 1, "the message to the user");
  assert.deepEqual(seen.group, [{ group: "team/a", data: { to: "group" } }]);
  assert.deepEqual(seen.server, [{ to: "user" }]);
  client.stop();
});
