// The README's run command on a fresh laptop: with no storage account named, `bash scripts/run.sh` installs and starts
// its own Azurite (tables, blobs, queues) with the data in a folder, the product runs on it, a stop signal stops the host
// and then that Azurite, and a second run on the same folder finds what the first one stored.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { agentApi, channelId, delay, startProduct } from "./harness.mjs";

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    if (e.code === "ESRCH") return false;
    throw e;
  }
}

async function gone(pid, ms) {
  const until = Date.now() + ms;
  while (alive(pid) && Date.now() < until) await delay(100);
  return !alive(pid);
}

async function conversationsOf(base) {
  const api = await agentApi(base, "carla"); // the supervisor sees every conversation of the contact center
  const r = await api("GET", "/api/agent/conversations");
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.conversations;
}

test("README run command (P2, R8, R11): run.sh starts its own Azurite, the product stores on it, a stop ends both, and a second run finds the data", async () => {
  const location = mkdtempSync(path.join(tmpdir(), "smartspace-run-azurite-"));
  try {
    const first = await startProduct({ azuriteLocation: location });
    let azurite;
    let conversation;
    try {
      azurite = first.azuritePid();
      assert.ok(azurite, `run.sh names the Azurite it started:\n${first.log()}`);
      assert.ok(alive(azurite), "its Azurite runs while the product does");
      const sent = await fetch(`${first.base}/sandbox/customers/messages`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ phoneNumberId: channelId, from: "5511987650042", name: "Joana Run", text: "Oi, tudo bem?" }),
      });
      assert.equal(sent.status, 200, await sent.text());
      for (let i = 0; i < 100 && !conversation; i++) {
        conversation = (await conversationsOf(first.base)).find((c) => c.customerName === "Joana Run");
        if (!conversation) await delay(100);
      }
      assert.ok(conversation, "the customer's message reached a conversation stored on run.sh's Azurite");
    } finally {
      await first.stop();
    }
    assert.ok(await gone(azurite, 20_000), `Azurite (pid ${azurite}) still runs after run.sh was stopped`);

    const second = await startProduct({ azuriteLocation: location });
    try {
      const again = second.azuritePid();
      assert.ok(again && again !== azurite, "the second run starts an Azurite of its own");
      const found = (await conversationsOf(second.base)).find((c) => c.id === conversation.id);
      assert.ok(found, "the conversation the first run stored is there after a restart");
      assert.equal(found.customerName, "Joana Run");
      await second.stop();
      assert.ok(await gone(again, 20_000), `Azurite (pid ${again}) still runs after run.sh was stopped`);
    } finally {
      await second.stop();
    }
  } finally {
    rmSync(location, { recursive: true, force: true });
  }
});
