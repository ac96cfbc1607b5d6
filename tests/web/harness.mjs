// Shared by the browser tests: starts the product the way the README does (bash scripts/run.sh) on a free loopback
// port with a fresh store, drives Debian's Chromium through playwright-core, plays the customer through the Meta
// sandbox, checks accessibility with axe-core and keeps screenshots under artifacts/screenshots. Stops the product by PID.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { createHmac } from "node:crypto";
import { mkdtempSync, mkdirSync, rmSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { before, after } from "node:test";
import { chromium } from "playwright-core";
import { AxeBuilder } from "@axe-core/playwright";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const screenshotDir = process.env.SMARTSPACE_SCREENSHOTS ?? path.join(repoRoot, "artifacts", "screenshots");
export const channelId = "100200300400500";
const appSecret = JSON.parse(readFileSync(path.join(repoRoot, "local.settings.sample.json"), "utf8")).Values.Meta__AppSecret;
export const sizes = { wide: { width: 1366, height: 768 }, narrow: { width: 390, height: 844 } };
export const delay = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
}

/**
 * The store of one product on the test command's Azurite: tables and a media container of its own, and its Durable
 * runtime (entities, orchestrations; its connection string falls back to the tables') on a task hub of its own named
 * after the table prefix, one partition, idle queues polled every 100 ms. Without that Azurite, run.sh starts one in the
 * run's folder (a store of its own, the product's Durable defaults).
 */
function azuriteStore(dataDir) {
  const account = process.env.SMARTSPACE_AZURITE_CONNECTION_STRING;
  if (!account) return { SMARTSPACE_AZURITE_LOCATION: path.join(dataDir, "azurite") };
  const prefix = "web" + Math.random().toString(16).slice(2, 10);
  return {
    Storage__TablesConnectionString: account, Storage__BlobsConnectionString: account, Storage__TablePrefix: prefix, Storage__MediaContainer: "media-" + prefix,
    Durable__TaskHub: "hub" + prefix, Durable__PartitionCount: "1", Durable__MaxQueuePollingInterval: "00:00:00.100",
  };
}

/**
 * `bash scripts/run.sh` with ASPNETCORE_URLS on a free port and a store of its own; resolves when /api/health answers. */
export async function startProduct({ azuriteLocation } = {}) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), "smartspace-web-"));
  const log = [];
  // With azuriteLocation, run.sh installs and starts its own Azurite there, as on a fresh laptop (no account named).
  const inherited = { ...process.env };
  if (azuriteLocation) {
    delete inherited.SMARTSPACE_AZURITE_CONNECTION_STRING;
    for (const key of Object.keys(inherited)) if (key.startsWith("Storage__") || key.startsWith("Durable__")) delete inherited[key];
  }
  const child = spawn("bash", ["scripts/run.sh"], {
    cwd: repoRoot,
    env: {
      ...inherited,
      ASPNETCORE_URLS: base,
      // The test command's Azurite under tables and a media container of this run's own; without one, run.sh starts
      // an Azurite with its data in this run's folder.
      ...(azuriteLocation ? { SMARTSPACE_AZURITE_LOCATION: azuriteLocation } : azuriteStore(dataDir)),
      // These tests play hours of an agent's work in seconds, with their own API calls as the same agents on top: the
      // per-agent rate limit (its own tests prove it) would answer them 429.
      AgentApi__RateLimitPermits: "100000",
      Logging__LogLevel__Default: "Warning",
      Logging__LogLevel__Microsoft: "Warning",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const keep = (chunk) => { log.push(chunk.toString()); if (log.length > 200) log.shift(); };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`scripts/run.sh exited with ${child.exitCode}:\n${log.join("")}`);
    try {
      if ((await fetch(`${base}/api/health`)).status === 200) break;
    } catch { /* not up yet */ }
    if (Date.now() - started > 300_000) throw new Error(`the product did not start:\n${log.join("")}`);
    await delay(250);
  }
  // A fresh store has no templates until the first sync with Meta (the sandbox), which runs right after start.
  const api = await agentApi(base, "ana");
  for (;;) {
    const r = await api("GET", `/api/agent/channels/${channelId}/templates`);
    if (r.status === 200 && r.body.templates.some((t) => t.name === "aviso_retorno")) break; // the one startWithTemplate uses
    if (Date.now() - started > 300_000) throw new Error(`the templates were never synced:\n${log.join("")}`);
    await delay(250);
  }
  return {
    base,
    log: () => log.join(""),
    /** The pid of the Azurite run.sh started (it prints it), or null when it used the test command's. */
    azuritePid() {
      const m = log.join("").match(/Azurite on 127\.0\.0\.1: .*\(pid (\d+)/);
      return m ? Number(m[1]) : null;
    },
    /** Stops run.sh by its PID: it execs the host, or, beside its own Azurite, stops the host and then Azurite. */
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await Promise.race([exited, delay(30_000)]);
        if (child.exitCode === null) child.kill("SIGKILL");
      }
      rmSync(dataDir, { recursive: true, force: true });
      return child.exitCode;
    },
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--no-first-run"],
  });
}

/** A tiny PNG served for template header images (their URLs are the internet's; the tests stay on loopback). */
const png = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==", "base64");

/** A page of its own (fresh context) at the given size, kept on loopback. */
export async function newPage(browser, base, size = sizes.wide) {
  const context = await browser.newContext({ viewport: size, locale: "pt-BR" });
  await context.route((url) => !url.href.startsWith(base) && !url.href.startsWith("ws://127.0.0.1"), (route) =>
    route.request().resourceType() === "image" ? route.fulfill({ status: 200, contentType: "image/png", body: png }) : route.abort());
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e));
  return { context, page, errors };
}

/** The local sign-in picker: click the seeded agent. */
export async function signIn(page, base, agentId) {
  await page.goto(base + "/");
  await page.locator(`button[data-agent-id="${agentId}"]`).click();
  await page.locator('[data-testid="connection-state"][data-state="online"]').waitFor({ timeout: 20_000 });
}

export async function screenshot(page, name) {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
}

/** axe-core on the page as it is: no serious or critical violation. */
export async function assertAccessible(page, what) {
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`), [], `accessibility of ${what}`);
}

/** The customer writes (Meta sandbox customer simulator → signed webhook to the product). */
export async function customerSends(base, from, fields) {
  const res = await fetch(`${base}/sandbox/customers/messages`, {
    method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ phoneNumberId: channelId, from, ...fields }),
  });
  const text = await res.text();
  assert.equal(res.status, 200, text);
  return JSON.parse(text);
}

/** A signed Meta webhook (the sandbox's app secret), e.g. a failed status. */
export async function signedWebhook(base, body) {
  const bytes = Buffer.from(JSON.stringify(body), "utf8");
  const res = await fetch(`${base}/api/whatsapp/webhook`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-hub-signature-256": "sha256=" + createHmac("sha256", appSecret).update(bytes).digest("hex") },
    body: bytes,
  });
  assert.equal(res.status, 200);
}

/** The agent API as another client would call it (to set up state the test is not about). */
export async function agentApi(base, agentId) {
  const res = await fetch(`${base}/api/dev/token`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ agentId }) });
  const { accessToken } = await res.json();
  return async (method, route, body) => {
    const r = await fetch(base + route, {
      method, headers: { authorization: `Bearer ${accessToken}`, ...(body ? { "content-type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  };
}

/** Starts a template conversation through the API (window closed for a new customer), as setup. */
export async function startWithTemplate(api, number) {
  const r = await api("POST", "/api/agent/conversations", {
    channelId, number, template: { name: "aviso_retorno", language: "pt_BR", body: [] },
  });
  assert.ok(r.status === 200 || r.status === 201, JSON.stringify(r.body));
  return r.body.conversation;
}

/** An inbound text straight to the product's webhook, signed like Meta's (the sandbox does not see it: its own window stays closed). */
export async function inboundText(base, from, name, text) {
  await signedWebhook(base, {
    object: "whatsapp_business_account",
    entry: [{ id: "200300400500600", changes: [{ field: "messages", value: {
      messaging_product: "whatsapp",
      metadata: { display_phone_number: "551140001234", phone_number_id: channelId },
      contacts: [{ profile: { name }, wa_id: from }],
      messages: [{ from, id: `wamid.web-${from}-${Date.now()}`, timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: text } }],
    } }] }],
  });
}

/** The page fits its window: no horizontal scrolling (checked at 390 px and 1366 px). */
export async function assertFitsWidth(page, what) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${what}: no horizontal scrolling (overflow ${overflow}px)`);
}

/**
 * The browser tests' fixture, registered as the file's before/after hooks: the product (`startProduct`, or the one
 * SMARTSPACE_WEB_BASE names), Chromium, bruno unavailable (queue routing stays out of the way until his console
 * connects) and ana with room for 50 conversations (bruno keeps his seeded maximum of 2 for R12). After the file: every
 * page, the browser and the product closed. `customer()` gives a number of its own for each use, `{numberStem}xxxx`.
 */
export function consoleFixture(numberStem) {
  let product;
  let run = 0;
  const web = {
    base: undefined,
    browser: undefined,
    pages: [],
    customer: () => `${numberStem}${String(4000 + (Date.now() % 1000) * 5 + run++).padStart(4, "0")}`,
  };
  before(async () => {
    if (process.env.SMARTSPACE_WEB_BASE) {
      web.base = process.env.SMARTSPACE_WEB_BASE;
    } else {
      product = await startProduct();
      web.base = product.base;
    }
    web.browser = await launchBrowser();
    await (await agentApi(web.base, "bruno"))("POST", "/api/agent/me/status", { available: false });
    const raised = await (await agentApi(web.base, "carla"))("PUT", "/api/agent/admin/agents/ana", { name: "Ana Souza", role: "agent", maxConcurrent: 50 });
    assert.ok(raised.status < 300, JSON.stringify(raised.body));
  });
  after(async () => {
    for (const p of web.pages) await p.context.close().catch(() => undefined);
    await web.browser?.close();
    await product?.stop();
  });
  return web;
}
