// The real handler (local mode) with the OFFICIAL @azure/web-pubsub-client: an agent connects through
// /api/negotiate, a customer's signed Meta webhook arrives, and the agent's socket receives the events
// (R18/R19: every change carries the conversation id and a growing version). The supervisor receives
// the same changes through the contact center's supervisors group — as group messages naming the group,
// the way Azure Web PubSub delivers a send to a group (issue 20).
// Starts the local host, functions/Smartspace.LocalHost (built by scripts/test.sh), on a free port and kills it by PID.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createHmac } from "node:crypto";
import { WebPubSubServiceClient } from "@azure/web-pubsub";
import { WebPubSubClient } from "@azure/web-pubsub-client";
import { repoRoot, freePort, delay, waitFor } from "./support/emulator.mjs";

const dll = process.env.SMARTSPACE_HANDLER_DLL ?? path.join(repoRoot, "functions/Smartspace.LocalHost/bin/Debug/net10.0/Smartspace.LocalHost.dll");
const appSecret = "js-app-secret";
const hubAccessKey = "js-handler-access-key-0123456789abcdefghij";
let handler;
let base;
let dataDir;
const clients = [];

async function tokenFor(agentId) {
  const res = await fetch(`${base}/api/dev/token`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ agentId }) });
  assert.equal(res.status, 200);
  return (await res.json()).accessToken;
}
function signedWebhook(body) {
  const bytes = Buffer.from(body, "utf8");
  return fetch(`${base}/api/whatsapp/webhook`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-hub-signature-256": "sha256=" + createHmac("sha256", appSecret).update(bytes).digest("hex") },
    body: bytes,
  });
}
function textWebhook(from, wamid, text, name) {
  return JSON.stringify({
    object: "whatsapp_business_account",
    entry: [{ id: "200300400500600", changes: [{ field: "messages", value: {
      messaging_product: "whatsapp",
      metadata: { display_phone_number: "551140001234", phone_number_id: "100200300400500" },
      contacts: [{ profile: { name }, wa_id: from }],
      messages: [{ from, id: wamid, timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: text } }],
    } }] }],
  });
}
function agentClient(token) {
  const client = new WebPubSubClient({
    getClientAccessUrl: async () => {
      const res = await fetch(`${base}/api/negotiate`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.status, 200);
      return (await res.json()).url;
    },
  }, { keepAliveIntervalInMs: 500, keepAliveTimeoutInMs: 5000 });
  // Listens as a client must in Azure: sends to the agent's user are server messages, sends to a group
  // (supervisors, the whole contact center) are group messages; `via` records which.
  const events = [];
  const record = (e, via) => events.push({ ...(typeof e.message.data === "string" ? JSON.parse(e.message.data) : e.message.data), via });
  client.on("server-message", (e) => record(e, "server"));
  client.on("group-message", (e) => record(e, `group:${e.message.group}`));
  clients.push(client);
  return { client, events };
}

before(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  dataDir = mkdtempSync(path.join(tmpdir(), "smartspace-js-"));
  // The test command (scripts/test.sh) starts Azurite and names it here; these tests use tables of their own in it.
  const azurite = process.env.SMARTSPACE_AZURITE_CONNECTION_STRING;
  if (!azurite) throw new Error("SMARTSPACE_AZURITE_CONNECTION_STRING is not set: run these tests with bash scripts/test.sh");
  const prefix = "js" + Math.random().toString(16).slice(2, 10);
  handler = spawn("dotnet", [dll, "--urls", base], {
    cwd: path.dirname(dll),
    env: {
      ...process.env,
      ASPNETCORE_ENVIRONMENT: "Development",
      Local__Enabled: "true",
      Storage__TablesConnectionString: azurite,
      Storage__TablePrefix: prefix,
      Storage__MediaContainer: "media-" + prefix,
      // Its Durable runtime (on the tables' account) on a task hub of its own.
      Durable__TaskHub: "hub" + prefix,
      Durable__PartitionCount: "1",
      Durable__MaxQueuePollingInterval: "00:00:00.100",
      Meta__AppSecret: appSecret,
      Meta__VerifyToken: "verify",
      Meta__AccessToken: "token",
      Meta__GraphBaseUrl: `${base}/sandbox/graph`,
      Meta__SandboxEnabled: "false",
      WebPubSub__Mode: "Embedded",
      WebPubSub__Endpoint: base,
      WebPubSub__AccessKey: hubAccessKey,
      WebPubSub__Hub: "agents",
      Auth__Issuer: "smartspace-js",
      Auth__Audience: "smartspace-agent-api",
      Auth__SigningKey: "js-handler-signing-key-0123456789abcdefghij",
      Auth__DevTokensEnabled: "true",
      Seed__File: "seed/demo-contact-center.json",
      Timers__Hosted: "false",
      Logging__LogLevel__Default: "Warning",
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const start = Date.now();
  for (;;) {
    try {
      const res = await fetch(`${base}/api/health`);
      if (res.status === 200) break;
    } catch { /* not up yet */ }
    if (Date.now() - start > 60000) throw new Error("handler did not start");
    await delay(200);
  }
});

after(async () => {
  for (const c of clients) { try { c.stop(); } catch { /* already stopped */ } }
  if (handler && handler.exitCode === null) {
    handler.kill("SIGTERM");
    await Promise.race([new Promise((r) => handler.once("exit", r)), delay(10000)]);
    if (handler.exitCode === null) handler.kill("SIGKILL");
  }
  rmSync(dataDir, { recursive: true, force: true });
});

test("R18/R19 negotiate → live events: a customer's webhook reaches the assigned agent's socket and the supervisor's group", async () => {
  const ana = agentClient(await tokenFor("ana"));
  const carla = agentClient(await tokenFor("carla"));
  await ana.client.start();
  await carla.client.start();
  // bruno is offline: make him unavailable so the queue routes to ana (least loaded among available).
  const bruno = await tokenFor("bruno");
  await fetch(`${base}/api/agent/me/status`, { method: "POST", headers: { authorization: `Bearer ${bruno}`, "content-type": "application/json" }, body: JSON.stringify({ available: false }) });

  const res = await signedWebhook(textWebhook("5511987001122", "wamid.JS.1", "Olá, quero ajuda", "Joana"));
  assert.equal(res.status, 200);

  await waitFor(() => ana.events.some((e) => e.type === "conversation.assigned"), "assignment on ana's socket", 20000);
  const assigned = ana.events.find((e) => e.type === "conversation.assigned");
  assert.equal(assigned.agentId, "ana");
  assert.ok(assigned.conversationId);
  assert.ok(assigned.version > 0);
  assert.equal(assigned.via, "server", "sent to her user");
  const isCopy = (e) => e.type === "conversation.assigned" && e.conversationId === assigned.conversationId && e.version === assigned.version;
  await waitFor(() => carla.events.some(isCopy), "the supervisor's copy", 20000);
  const copies = carla.events.filter((e) => e.conversationId === assigned.conversationId);
  assert.deepEqual([...new Set(copies.map((e) => e.via))], ["group:supervisors.demo"], "the supervisor's copies are group messages of supervisors.demo");

  // The agent replies; the event of her own message arrives with a higher version.
  const anaToken = await tokenFor("ana");
  const sent = await fetch(`${base}/api/agent/conversations/${assigned.conversationId}/messages`, {
    method: "POST", headers: { authorization: `Bearer ${anaToken}`, "content-type": "application/json" }, body: JSON.stringify({ text: "Oi Joana!" }),
  });
  assert.equal(sent.status, 202);
  await waitFor(() => ana.events.some((e) => e.type === "message.sent"), "message.sent", 20000);
  const messageSent = ana.events.find((e) => e.type === "message.sent");
  assert.ok(messageSent.version > assigned.version);

  // R19: the API returns everything after a version, so a client fills any gap.
  const detail = await fetch(`${base}/api/agent/conversations/${assigned.conversationId}?afterVersion=${assigned.version}`, { headers: { authorization: `Bearer ${anaToken}` } });
  const body = await detail.json();
  assert.ok(body.messages.some((m) => m.text === "Oi Joana!"));
  assert.ok(body.messages.every((m) => m.version > assigned.version));
});

test("negotiate refuses a request without a valid token", async () => {
  const res = await fetch(`${base}/api/negotiate`);
  assert.equal(res.status, 401);
  const bad = await fetch(`${base}/api/negotiate`, { headers: { authorization: "Bearer nope" } });
  assert.equal(bad.status, 401);
});

test("issue 20 as reported: the handler's embedded hub delivers the server SDK's group sends as group-messages", async () => {
  const service = new WebPubSubServiceClient(`Endpoint=${base};AccessKey=${hubAccessKey};Version=1.0;`, "agents", { allowInsecureConnection: true });
  const client = new WebPubSubClient({
    getClientAccessUrl: async () => (await service.getClientAccessToken({ userId: "u1", roles: ["webpubsub.joinLeaveGroup.g1"] })).url,
  }, { keepAliveIntervalInMs: 500, keepAliveTimeoutInMs: 5000 });
  clients.push(client);
  const seen = { server: [], group: [] };
  client.on("server-message", (e) => seen.server.push(e.message.data));
  client.on("group-message", (e) => seen.group.push({ group: e.message.group, data: e.message.data }));
  await client.start();
  await client.joinGroup("g1");

  await service.group("g1").sendToAll({ hi: 1 });
  await service.group("g2").addUser("u1");
  await service.group("g2").sendToAll({ hi: 2 });
  await service.sendToUser("u1", { marker: true });
  await waitFor(() => seen.server.length === 1, "the marker", 20000); // one connection's frames arrive in order

  assert.deepEqual(seen.group, [{ group: "g1", data: { hi: 1 } }, { group: "g2", data: { hi: 2 } }]);
  assert.deepEqual(seen.server, [{ marker: true }]);
  client.stop();
});
