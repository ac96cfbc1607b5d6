// Shared by the Node tests: waiting helpers, and the stand-alone hub (Smartspace.Realtime.Emulator)
// started on a free loopback port, driven with the OFFICIAL @azure/web-pubsub server SDK and watched with
// @azure/web-pubsub-client clients. Build the emulator first (scripts/test.sh does) or set
// SMARTSPACE_EMULATOR_DLL to its Smartspace.Realtime.Emulator.dll; it is killed by PID at the end.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { createHmac } from "node:crypto";
import { WebPubSubServiceClient } from "@azure/web-pubsub";
import { WebPubSubClient, WebPubSubJsonProtocol, WebPubSubJsonReliableProtocol } from "@azure/web-pubsub-client";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/** The two JSON subprotocols of the official client, by their wire names. */
export const protocols = {
  "json.reliable.webpubsub.azure.v1": WebPubSubJsonReliableProtocol,
  "json.webpubsub.azure.v1": WebPubSubJsonProtocol,
};

export const delay = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `predicate` (sync or async) every 25 ms until it holds; fails after `timeoutMs`. */
export async function waitFor(predicate, what, timeoutMs = 15000) {
  const start = Date.now();
  while (!(await predicate())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await delay(25);
  }
}

export function freePort() {
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

/**
 * Starts the emulator (hub `agents`) with its test hooks and returns
 * { endpoint, service, newClient, abortSocket, stop }.
 */
export async function startEmulator() {
  const dll =
    process.env.SMARTSPACE_EMULATOR_DLL ??
    path.join(repoRoot, "functions/Smartspace.Realtime.Emulator/bin/Debug/net10.0/Smartspace.Realtime.Emulator.dll");
  const accessKey = "js-test-access-key-0123456789-abcdefghijklmnopqrstuv";
  const hub = "agents";
  if (!process.env.SMARTSPACE_EMULATOR_DLL && !existsSync(dll)) {
    const build = spawnSync("dotnet", ["build", path.join(repoRoot, "functions/Smartspace.Realtime.Emulator")], { stdio: "inherit" });
    assert.equal(build.status, 0, "building the emulator");
  }
  const endpoint = `http://127.0.0.1:${await freePort()}`;
  const emulator = spawn("dotnet", [dll, "--urls", endpoint], {
    env: { ...process.env, WebPubSub__AccessKey: accessKey, WebPubSub__Hub: hub, WebPubSub__EnableTestHooks: "true" },
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
  const service = new WebPubSubServiceClient(`Endpoint=${endpoint};AccessKey=${accessKey};Version=1.0;`, hub, {
    allowInsecureConnection: true,
  });
  const clients = [];

  /**
   * A client whose URL comes from the server SDK's token. It records what the official client raises:
   * `server-message` data in seen.server, `group-message` as { group, data[, fromUserId] } in seen.group.
   */
  function newClient(userId, roles = [], { protocol = "json.reliable.webpubsub.azure.v1", groups } = {}) {
    const client = new WebPubSubClient({
      getClientAccessUrl: async () => (await service.getClientAccessToken({ userId, roles, groups })).url,
    }, {
      protocol: protocols[protocol](),
      // Short keep-alive: the client pings every 0.5 s and closes if nothing (e.g. no pong) arrives for 3 s.
      // (Also keeps node from idling on the client's 40 s non-abortable monitor delay after stop().)
      keepAliveIntervalInMs: 500,
      keepAliveTimeoutInMs: 3000,
    });
    const seen = { server: [], group: [], connected: [], disconnected: [], stopped: 0, rejoinFailed: [] };
    client.on("server-message", (e) => seen.server.push(e.message.data));
    client.on("group-message", (e) => {
      const { group, data, fromUserId } = e.message;
      seen.group.push(fromUserId === undefined ? { group, data } : { group, data, fromUserId });
    });
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

  /** Test-only hook (WebPubSub__EnableTestHooks=true): drops the TCP connection without a close frame. */
  async function abortSocket(connectionId) {
    const url = `${endpoint}/api/hubs/${hub}/connections/${encodeURIComponent(connectionId)}/:abort?api-version=2024-12-01`;
    const token = hs256({ aud: url, exp: Math.floor(Date.now() / 1000) + 300 }, accessKey);
    const res = await fetch(url, { method: "POST", headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 204, "abort hook");
  }

  async function stop() {
    for (const c of clients) {
      try {
        c.stop();
      } catch {
        /* already stopped */
      }
    }
    await delay(200);
    if (emulator.exitCode === null) {
      const exited = new Promise((r) => emulator.once("exit", r));
      process.kill(emulator.pid, "SIGTERM");
      const t0 = Date.now();
      await Promise.race([exited, delay(10000)]);
      if (emulator.exitCode === null && emulator.signalCode === null) process.kill(emulator.pid, "SIGKILL");
      console.log(`# emulator stopped in ${Date.now() - t0} ms`);
    }
  }

  return { endpoint, service, newClient, abortSocket, stop };
}
