// Issue 16 (WhatsApp media and conversation parity) in the agent console: Chromium against the real local host (scripts/run.sh)
// with the Meta sandbox as the customer and as Graph API. Each test names the issue item (and SPEC rule) it proves; the sandbox's
// records (/sandbox/outbox, /sandbox/media/receipts, the Graph media lookup) show what reached "Meta".
// Set SMARTSPACE_WEB_BASE to reuse a running product.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { deflateSync } from "node:zlib";
import {
  agentApi, assertAccessible, assertFitsWidth, customerSends, delay, newPage, repoRoot, screenshot, signIn, sizes,
  consoleFixture, startWithTemplate,
} from "./harness.mjs";

const settings = JSON.parse(readFileSync(path.join(repoRoot, "local.settings.sample.json"), "utf8")).Values;

// ---- Files the customer and the agent send: small, but real (the browser decodes them) ----

const crc32Table = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (bytes) => { let c = 0xffffffff; for (const b of bytes) c = crc32Table[(c ^ b) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };

/** A width×height RGB PNG (a colour gradient). */
function png(width, height) {
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const rows = Buffer.alloc(height * (1 + width * 3));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) rows.set([(x * 255) / width, (y * 255) / height, 160], y * (1 + width * 3) + 1 + x * 3);
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", header), chunk("IDAT", deflateSync(rows)),
    chunk("IEND", Buffer.alloc(0))]);
}

const oggCrcTable = Array.from({ length: 256 }, (_, n) => {
  let r = n << 24;
  for (let k = 0; k < 8; k++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
  return r >>> 0;
});

/** A WhatsApp-like voice note: Ogg Opus, mono, 48 kHz, `seconds` of silence (20 ms CELT silence frames). */
function oggOpusVoiceNote(seconds) {
  const serial = 0x5eed;
  let sequence = 0;
  const page = (flags, granule, packets) => {
    const lacing = packets.map((p) => { assert.ok(p.length < 255); return p.length; });
    const header = Buffer.alloc(27 + lacing.length);
    header.write("OggS", 0, "ascii");
    header[5] = flags;
    header.writeBigUInt64LE(BigInt(granule), 6);
    header.writeUInt32LE(serial, 14);
    header.writeUInt32LE(sequence++, 18);
    header[26] = lacing.length;
    header.set(lacing, 27);
    const bytes = Buffer.concat([header, ...packets]);
    let crc = 0;
    for (const b of bytes) crc = ((crc << 8) ^ oggCrcTable[((crc >>> 24) & 0xff) ^ b]) >>> 0;
    bytes.writeUInt32LE(crc, 22);
    return bytes;
  };
  const preSkip = 312;
  const head = Buffer.alloc(19);
  head.write("OpusHead", 0, "ascii");
  head[8] = 1; // version
  head[9] = 1; // mono
  head.writeUInt16LE(preSkip, 10);
  head.writeUInt32LE(48_000, 12);
  const vendor = Buffer.from("smartspace-tests", "ascii");
  const tags = Buffer.concat([Buffer.from("OpusTags", "ascii"), Buffer.from(new Uint32Array([vendor.length]).buffer), vendor, Buffer.alloc(4)]);
  const frames = Math.round(seconds * 50);
  const silence = Buffer.from([0xf8, 0xff, 0xfe]); // TOC: CELT fullband 20 ms, one frame; the frame: silence
  return Buffer.concat([page(0x02, 0, [head]), page(0x00, 0, [tags]),
    page(0x04, preSkip + frames * 960, Array.from({ length: frames }, () => silence))]);
}

const pdf = Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
  + "trailer << /Root 1 0 R >>\n%%EOF\n", "ascii");
const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");

// ---- The product, the browser, the sandbox ----

/** Customer numbers 11 9 7654 xxxx. */
const web = consoleFixture("1197654");
const customer = web.customer;
const waId = (local) => `55${local}`;

/** ana holds a conversation with a new customer (a template, then `firstMessage` from the customer) and her console is open on it. */
async function anaOnConversation(size, firstMessage) {
  const number = customer();
  const conversation = await startWithTemplate(await agentApi(web.base, "ana"), number);
  const first = firstMessage ? await customerSends(web.base, waId(number), { name: "Cliente Mídia", ...firstMessage }) : null;
  const p = await newPage(web.browser, web.base, size);
  web.pages.push(p);
  // Every answer of the agent API's media route (GET …/conversations/{id}/messages/{msgId}/media), from the first page load on.
  const mediaResponses = [];
  p.page.on("response", (r) => { if (/\/api\/agent\/conversations\/[^/]+\/messages\/[^/]+\/media$/.test(new URL(r.url()).pathname)) mediaResponses.push(r); });
  await signIn(p.page, web.base, "ana");
  await p.page.locator(`button.card[data-conversation-id="${conversation.id}"]`).click();
  return { ...p, number, conversation, first, mediaResponses };
}

const messagesOf = (page) => page.locator("ol.messages.current > li");
const chatInput = (page) => page.locator("#chat-text");
const untilOpen = (page) => page.waitForFunction(() => !document.querySelector("#chat-text").disabled);

/** Polls `read` until `check` returns something truthy (or fails with `what` after `timeoutMs`). */
async function eventually(read, check, what, timeoutMs = 20_000) {
  const started = Date.now();
  for (;;) {
    const value = await read();
    const found = check(value);
    if (found) return found;
    if (Date.now() - started > timeoutMs) assert.fail(`${what} (last seen: ${JSON.stringify(value).slice(0, 2000)})`);
    await delay(200);
  }
}

const sandboxJson = async (route) => { const r = await fetch(web.base + route); assert.equal(r.status, 200, route); return r.json(); };
/** What the product sent to "Meta" for this customer: each Graph /messages request body, parsed. */
const sentTo = async (number) => (await sandboxJson("/sandbox/outbox"))
  .filter((o) => o.to.replace(/\D/g, "") === waId(number) || o.waId === waId(number))
  .map((o) => ({ ...o, request: JSON.parse(o.requestBody) }));
/** The sandbox's Graph media lookup (as the product calls it, with the access token): what was uploaded under this id. */
async function uploadedMedia(mediaId) {
  const r = await fetch(`${web.base}/sandbox/graph/${settings.Meta__GraphApiVersion}/${encodeURIComponent(mediaId)}`,
    { headers: { authorization: `Bearer ${settings.Meta__AccessToken}` } });
  assert.equal(r.status, 200, `media ${mediaId} is at Meta`);
  return r.json();
}

test("Issue 16 inbound media (P7): the customer's image shows as a picture whose bytes load, the voice note as a player that decodes, the PDF as a download; opening the chat marks each read at WhatsApp once", async () => {
  const picture = png(48, 32);
  const voice = oggOpusVoiceNote(1);
  const { page, number, conversation, first: image, mediaResponses } = await anaOnConversation(sizes.wide,
    { type: "image", text: "foto do boleto", mediaBase64: picture.toString("base64"), mimeType: "image/png" });
  const audio = await customerSends(web.base, waId(number), { type: "audio", mediaBase64: voice.toString("base64") });
  const document = await customerSends(web.base, waId(number), { type: "document", text: "segunda via", mediaBase64: pdf.toString("base64"),
    mimeType: "application/pdf", fileName: "boleto.pdf" });

  // The image: fetched from the agent API's media route with the bearer token, decoded by the browser at its real size.
  const imageItem = messagesOf(page).filter({ has: page.locator("img.media-image") });
  const img = imageItem.locator("img.media-image");
  await img.waitFor({ timeout: 30_000 });
  await page.waitForFunction((el) => el.complete && el.naturalWidth > 0, await img.elementHandle(), { timeout: 10_000 });
  assert.deepEqual(await img.evaluate((el) => [el.naturalWidth, el.naturalHeight]), [48, 32], "the customer's picture, decoded");
  assert.equal(await img.getAttribute("alt"), "📷 Imagem — foto do boleto", "the picture's text alternative is the chat line");
  assert.equal(await imageItem.getAttribute("data-kind"), "image");
  const imageBytes = await img.evaluate(async (el) => [...new Uint8Array(await (await fetch(el.src)).arrayBuffer())]);
  assert.equal(sha256(Buffer.from(imageBytes)), sha256(picture), "the bytes shown are the customer's, byte for byte");

  // The voice note: an audio player whose Ogg Opus file the browser decodes (a duration of about one second).
  const player = messagesOf(page).filter({ has: page.locator("audio.media-audio") }).locator("audio.media-audio");
  await player.waitFor({ timeout: 30_000 });
  await page.waitForFunction((el) => el.readyState >= 1 || el.error, await player.elementHandle(), { timeout: 10_000 });
  const loaded = await player.evaluate((el) => ({ error: el.error?.code ?? null, duration: el.duration, controls: el.controls, label: el.getAttribute("aria-label") }));
  assert.equal(loaded.error, null, "the voice note decodes");
  assert.ok(loaded.duration > 0.5 && loaded.duration < 1.5, `the voice note lasts about 1 s (${loaded.duration})`);
  assert.ok(loaded.controls, "the agent can play it");
  assert.match(loaded.label, /Áudio/);

  // The PDF: a download link with its file name, its bytes the customer's.
  const link = messagesOf(page).filter({ hasText: "boleto.pdf" }).getByRole("link", { name: "Baixar arquivo: boleto.pdf" });
  await link.waitFor({ timeout: 30_000 });
  assert.equal(await link.getAttribute("download"), "boleto.pdf");
  const pdfBytes = await link.evaluate(async (el) => [...new Uint8Array(await (await fetch(el.href)).arrayBuffer())]);
  assert.equal(sha256(Buffer.from(pdfBytes)), sha256(pdf));

  // Served by GET …/conversations/{id}/messages/{msgId}/media for this conversation, with the file's content type.
  const served = await Promise.all(mediaResponses.map(async (r) => [r.status(), (await r.headerValue("content-type")) ?? "", new URL(r.url()).pathname]));
  for (const type of ["image/png", "audio/ogg", "application/pdf"]) {
    assert.ok(served.some(([status, ct, p]) => status === 200 && ct.startsWith(type) && p.includes(`/conversations/${conversation.id}/`)),
      `${type} served by the media route: ${JSON.stringify(served)}`);
  }

  // Read receipts: each customer message marked read at WhatsApp exactly once, however often the chat re-renders.
  const wamids = [image.wamid, audio.wamid, document.wamid];
  await eventually(() => sandboxJson("/sandbox/media/receipts"), (rs) => wamids.every((w) => rs.some((r) => r.wamid === w && !r.typing)),
    "every customer message is marked read");
  await delay(1500);
  const receipts = (await sandboxJson("/sandbox/media/receipts")).filter((r) => wamids.includes(r.wamid) && !r.typing);
  assert.deepEqual(wamids.map((w) => receipts.filter((r) => r.wamid === w).length), [1, 1, 1], "each marked read once");

  await assertAccessible(page, "Atendimento com mídia recebida");
  await assertFitsWidth(page, "Atendimento com mídia at 1366px");
  await screenshot(page, "atendimento-midia-recebida-wide");
});

test("Issue 16 outbound attachments: \"Anexar arquivo\" sends a PDF with its caption — uploaded to WhatsApp byte for byte, sent by media id, shown in the chat with its status ticks", async () => {
  const { page, number, conversation } = await anaOnConversation(sizes.wide, { text: "pode mandar o contrato?" });
  await untilOpen(page);
  await page.getByLabel("Legenda (opcional)").fill("Contrato para assinatura");

  // The button (by its accessible name) opens the file chooser; the file goes in through the attach input.
  const uploaded = page.waitForRequest((r) => r.method() === "POST" && r.url().endsWith(`/conversations/${conversation.id}/attachments`));
  const [chooser] = await Promise.all([page.waitForEvent("filechooser"), page.getByRole("button", { name: "Anexar arquivo" }).click()]);
  assert.equal(await chooser.element().evaluate((el) => el.id), "chat-attach");
  await chooser.element().setInputFiles({ name: "contrato.pdf", mimeType: "application/pdf", buffer: pdf });
  const request = await uploaded;
  const form = request.postDataBuffer().toString("latin1");
  assert.match(request.headers()["content-type"], /^multipart\/form-data; boundary=/);
  assert.match(form, /name="file"; filename="contrato.pdf"\r\nContent-Type: application\/pdf/);
  assert.match(form, /name="caption"\r\n\r\nContrato para assinatura\r\n/);
  assert.equal((await request.response()).status(), 202);

  // In the chat: the document with its caption, its download link, and the ticks following WhatsApp's statuses to "Lida".
  const sent = messagesOf(page).filter({ hasText: "📄 contrato.pdf — Contrato para assinatura" });
  await sent.waitFor();
  assert.equal(await sent.getAttribute("class").then((c) => c.split(" ").includes("out")), true);
  await sent.getByRole("link", { name: "Baixar arquivo: contrato.pdf" }).waitFor();
  await sent.locator('.ticks[data-status="read"]').waitFor({ timeout: 20_000 });
  assert.equal(await sent.locator(".ticks").getAttribute("aria-label"), "Lida");
  assert.equal(await page.getByLabel("Legenda (opcional)").inputValue(), "", "the caption field is cleared after sending");

  // At "Meta": a media upload (the same bytes, as a PDF) and one document message that sends it by id with caption and file name.
  const sends = await eventually(() => sentTo(number), (os) => { const d = os.filter((o) => o.type === "document"); return d.length ? d : null; },
    "the document was sent to WhatsApp");
  assert.equal(sends.length, 1, "one send");
  const { document } = sends[0].request;
  assert.equal(sends[0].result, "accepted");
  assert.equal(document.caption, "Contrato para assinatura");
  assert.equal(document.filename, "contrato.pdf");
  assert.equal(document.link, undefined, "sent by the uploaded media id, not a link");
  const media = await uploadedMedia(document.id);
  assert.equal(media.sha256, sha256(pdf), "uploaded byte for byte");
  assert.equal(Number(media.file_size), pdf.length);
  assert.equal(media.mime_type, "application/pdf");

  await assertAccessible(page, "Atendimento com anexo enviado");
  await screenshot(page, "atendimento-anexo-enviado-wide");
});

test("Issue 16 replies and reactions: the agent answers a specific customer message (quote in the sent bubble, context.message_id at WhatsApp), reacts with 👍 and removes the reaction", async () => {
  const { page, number, first: question } = await anaOnConversation(sizes.wide, { text: "qual o prazo de entrega?" });
  await untilOpen(page);
  const asked = messagesOf(page).filter({ hasText: "qual o prazo de entrega?" });
  await asked.waitFor();
  const askedId = await asked.getAttribute("data-message-id");

  // Reply: "Responder" on the customer's message → "Respondendo a" above the input → the sent bubble quotes it.
  await asked.getByRole("button", { name: "Responder" }).click();
  const replying = page.getByRole("status").filter({ hasText: "Respondendo a" });
  await replying.getByText("qual o prazo de entrega?").waitFor();
  await chatInput(page).fill("Chega até sexta-feira.");
  const posted = page.waitForRequest((r) => r.method() === "POST" && /\/conversations\/[^/]+\/messages$/.test(new URL(r.url()).pathname));
  await page.getByRole("button", { name: "Enviar" }).click();
  assert.deepEqual((await posted).postDataJSON(), { text: "Chega até sexta-feira.", replyTo: askedId }, "the console sends the quoted message's id");
  const answer = messagesOf(page).filter({ hasText: "Chega até sexta-feira." });
  await answer.waitFor();
  assert.equal(await answer.getByRole("blockquote").textContent(), "qual o prazo de entrega?", "the quote is in the sent bubble");
  await replying.waitFor({ state: "detached" });
  await answer.locator('.ticks[data-status="read"]').waitFor({ timeout: 20_000 });
  const reply = await eventually(() => sentTo(number), (os) => os.find((o) => o.type === "text" && o.text === "Chega até sexta-feira."),
    "the reply was sent to WhatsApp");
  assert.equal(reply.request.context?.message_id, question.wamid, "WhatsApp shows the reply quoting the customer's message");
  await screenshot(page, "atendimento-resposta-wide");

  // Reaction: 👍 on the customer's message, shown as the agent's reaction; then removed (an empty emoji at WhatsApp).
  await asked.getByRole("button", { name: "Reagir com 👍" }).click();
  await asked.getByTestId("agent-reaction").filter({ hasText: "👍" }).waitFor();
  assert.equal(await asked.getByTestId("agent-reaction").textContent(), "Sua reação: 👍");
  const reacted = await eventually(() => sentTo(number), (os) => os.find((o) => o.type === "reaction" && o.request.reaction.emoji === "👍"),
    "the reaction was sent to WhatsApp");
  assert.equal(reacted.request.reaction.message_id, question.wamid);
  await assertAccessible(page, "Atendimento com resposta e reação");
  await screenshot(page, "atendimento-reacao-wide");

  await asked.getByRole("button", { name: "Remover reação" }).click();
  await asked.getByTestId("agent-reaction").waitFor({ state: "detached" });
  await asked.getByRole("button", { name: "Reagir com 👍" }).waitFor();
  const removed = await eventually(() => sentTo(number), (os) => os.find((o) => o.type === "reaction" && o.request.reaction.emoji === ""),
    "the removal was sent to WhatsApp");
  assert.equal(removed.request.reaction.message_id, question.wamid);
  assert.equal((await sentTo(number)).filter((o) => o.type === "reaction").length, 2, "one reaction, one removal");
});

test("Issue 16 at 390 px (STYLE §17 accessible by default): image, voice note, an attached picture, a reply and a reaction fit the phone width, the attach control is a focusable button, and axe finds nothing serious", async () => {
  const picture = png(64, 40);
  const { page, number, conversation } = await anaOnConversation(sizes.narrow,
    { type: "image", text: "print do erro", mediaBase64: png(40, 30).toString("base64"), mimeType: "image/png" });
  await customerSends(web.base, waId(number), { type: "audio", mediaBase64: oggOpusVoiceNote(1).toString("base64") });
  await messagesOf(page).locator("audio.media-audio").waitFor({ timeout: 30_000 });
  await untilOpen(page);

  // The attach control: reached with the keyboard as a button named "Anexar arquivo" (the file input is not a tab stop).
  const attach = page.getByRole("button", { name: "Anexar arquivo" });
  await page.getByLabel("Legenda (opcional)").focus();
  await page.keyboard.press("Tab");
  assert.equal(await attach.evaluate((el) => el === document.activeElement), true, "Tab from the caption reaches \"Anexar arquivo\"");
  assert.equal(await page.locator("#chat-attach").evaluate((el) => el.tabIndex), -1);

  await page.locator("#chat-attach").setInputFiles({ name: "tela.png", mimeType: "image/png", buffer: picture });
  const sentPicture = page.locator("ol.messages.current > li.out").filter({ has: page.locator("img.media-image") });
  await sentPicture.waitFor({ timeout: 30_000 });
  const img = sentPicture.locator("img.media-image");
  await page.waitForFunction((el) => el.complete && el.naturalWidth > 0, await img.elementHandle(), { timeout: 10_000 });
  assert.deepEqual(await img.evaluate((el) => [el.naturalWidth, el.naturalHeight]), [64, 40], "the agent's own picture is shown too");
  const imageSend = await eventually(() => sentTo(number), (os) => os.find((o) => o.type === "image"), "the picture was sent to WhatsApp");
  assert.equal((await uploadedMedia(imageSend.request.image.id)).sha256, sha256(picture));

  const asked = messagesOf(page).filter({ hasText: "print do erro" });
  await asked.getByRole("button", { name: "Responder" }).click();
  await chatInput(page).fill("Vou verificar.");
  await page.getByRole("button", { name: "Enviar" }).click();
  await messagesOf(page).filter({ hasText: "Vou verificar." }).getByRole("blockquote").waitFor();
  await asked.getByRole("button", { name: "Reagir com 👍" }).click();
  await asked.getByTestId("agent-reaction").waitFor();
  assert.equal(await page.locator(`button.card[data-conversation-id="${conversation.id}"]`).count(), 1);

  await assertFitsWidth(page, "Atendimento com mídia at 390px");
  await assertAccessible(page, "Atendimento com mídia 390 px");
  await screenshot(page, "atendimento-midia-narrow");
});
