// The agent console in Chromium against the real local host (scripts/run.sh) with the Meta sandbox as the customer.
// Each test names the rules whose visible behaviour it asserts on the page. Set SMARTSPACE_WEB_BASE to reuse a running product.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  agentApi, assertAccessible, assertFitsWidth, channelId, customerSends, delay, inboundText, newPage, screenshot, signIn,
  sizes, consoleFixture, startWithTemplate,
} from "./harness.mjs";

const S = {
  invalidNumber: "Número inválido, corrija e tente novamente",
  attention: "Atenção!",
  agentAtCapacity: "Não foi possível iniciar a conversa. O número máximo de atendimentos simultâneos foi atingido.",
  customerInService: "Não foi possível iniciar a conversa. O cliente está sendo atendido por outro agente.",
  connectionLost: "Perda de Conexão",
  offlineAlert: "Perda de conexão. Você está offline. Aguarde um instante para realizar o envio de mensagens",
  finished: "Qualificação e descrição salvas com sucesso.",
};

/** Customer numbers 11 9 8765 xxxx. */
const web = consoleFixture("1198765");
const customer = web.customer;
const waId = (local) => `55${local}`;

async function open(agentId, size = sizes.wide, setup) {
  const p = await newPage(web.browser, web.base, size);
  web.pages.push(p);
  if (setup) await setup(p);
  await signIn(p.page, web.base, agentId);
  return p;
}

/** Setup shared by several tests: ana holds a template conversation with a new customer, and the console of agentId is open on it. */
async function consoleOnNewConversation(agentId, size, setup) {
  const number = customer();
  const conversation = await startWithTemplate(await agentApi(web.base, "ana"), number);
  const p = await open(agentId, size, setup);
  await p.page.locator(`button.card[data-conversation-id="${conversation.id}"]`).click();
  return { ...p, number, conversation };
}

const dialog = (page) => page.getByRole("dialog", { name: "Nova Conversa" });
const createButton = (page) => dialog(page).getByRole("button", { name: "+Criar Conversa" });
const chatInput = (page) => page.locator("#chat-text");
const messagesOf = (page) => page.locator("ol.messages.current > li");

test("sign-in: the local picker lists the seeded agents; the console opens on Atendimento (1366×768 and 390 px)", async () => {
  for (const [name, size] of Object.entries(sizes)) {
    const { page } = await (async () => { const p = await newPage(web.browser, web.base, size); web.pages.push(p); return p; })();
    await page.goto(web.base + "/");
    for (const agent of ["ana", "bruno", "carla"]) await page.locator(`button[data-agent-id="${agent}"]`).waitFor();
    await assertAccessible(page, "sign-in");
    await screenshot(page, `sign-in-${name}`);
    await page.locator('button[data-agent-id="ana"]').click();
    await page.getByRole("button", { name: "Nova Conversa" }).waitFor();
    assert.equal(await page.getByRole("link", { name: "Atendimento", exact: true }).getAttribute("aria-current"), "page");
    await assertFitsWidth(page, `Atendimento at ${size.width}px`);
  }
});

test("R1–R5: Nova Conversa — channel preselected, live number check without a red flash while typing, +Criar Conversa only when valid", async () => {
  const { page } = await open("ana");
  await page.getByRole("button", { name: "Nova Conversa" }).click();
  const to = dialog(page).getByLabel("Para");
  // R1: one channel → preselected.
  assert.equal(await dialog(page).getByLabel("Número de Origem").inputValue(), channelId);
  await assertAccessible(page, "Nova Conversa");
  await screenshot(page, "nova-conversa-wide");

  // R3 never shown for a mobile still being typed: the API answers `incomplete`, so no error even once typing pauses, and
  // "+Criar Conversa" stays disabled (R5).
  const error = dialog(page).getByText(S.invalidNumber);
  for (const digit of "1198765") {
    await to.pressSequentially(digit);
    assert.equal(await error.count(), 0, "no error while the number is being typed");
    await delay(150);
  }
  await page.waitForFunction(() => document.querySelector('[role="dialog"] #to').dataset.numberState === "incomplete");
  await delay(1200); // past the pause after which an invalid number's error shows
  assert.equal(await error.count(), 0, "R3: no error for a short mobile (incomplete)");
  assert.equal(await to.getAttribute("aria-invalid"), "false");
  assert.ok(await createButton(page).isDisabled(), "R5: disabled for an incomplete mobile");

  // R3: a mobile with 12 digits is invalid: the error, and the button stays disabled.
  await to.fill("119876543210");
  await error.waitFor();
  assert.equal(await to.getAttribute("aria-invalid"), "true");
  assert.ok(await createButton(page).isDisabled(), "R5: disabled for an invalid mobile");

  // R4: a landline with 9 digits keeps the button disabled (no error shown for an incomplete landline); 10 digits enable it.
  await to.fill("114000123");
  await page.waitForFunction(() => document.querySelector('[role="dialog"] #to').dataset.numberState === "incomplete");
  await delay(1200);
  assert.equal(await error.count(), 0, "R4: an incomplete landline shows no error");
  assert.ok(await createButton(page).isDisabled(), "R4: disabled until the landline has 10 digits");
  await to.fill("1140001234");
  await page.waitForFunction(() => !document.querySelector('[role="dialog"] button.primary[type="submit"]').disabled);

  // R4: an area code that does not exist is an invalid number.
  await to.fill("2040001234");
  await error.waitFor();
  assert.ok(await createButton(page).isDisabled(), "R4: invalid DDD");

  // R2: 55, +, spaces, dashes and parentheses are normalised, not rejected.
  await to.fill("+55 (11) 98765-4321");
  await page.waitForFunction(() => !document.querySelector('[role="dialog"] button.primary[type="submit"]').disabled);
  assert.equal(await error.count(), 0);
  await screenshot(page, "nova-conversa-valid-wide");
  await page.setViewportSize(sizes.narrow);
  await assertFitsWidth(page, "Nova Conversa at 390px");
  await assertAccessible(page, "Nova Conversa 390 px");
  await screenshot(page, "nova-conversa-narrow");
});

test("R7, R8, R9, R11, R16, R6, R17, R10: a closed window, templates, the reply, finishing, reopening and Histórico", async () => {
  const { page } = await open("ana");
  const number = customer();
  await page.getByRole("button", { name: "Nova Conversa" }).click();
  await dialog(page).getByLabel("Para").fill(number);
  await page.waitForFunction(() => !document.querySelector('[role="dialog"] button.primary[type="submit"]').disabled);
  await createButton(page).click();

  // R7: window closed → the 24-hour alert, "Escolher Modelo" (approved only) and "Texto do Modelo".
  await dialog(page).getByText("Passaram mais de 24 horas").waitFor();
  const templateSelect = dialog(page).getByLabel("Escolher Modelo");
  await page.waitForFunction(() => document.querySelectorAll("#template option").length > 1);
  const options = await templateSelect.locator("option").evaluateAll((os) => os.map((o) => o.value).filter(Boolean));
  assert.deepEqual(options.map((o) => o.split("|")[0]).sort(), ["aviso_retorno", "confirmacao_pedido", "retomada_atendimento"],
    "only the templates approved by Meta are listed (promocao_pendente is PENDING)");
  await templateSelect.selectOption("retomada_atendimento|pt_BR");
  const text = dialog(page).getByLabel("Texto do Modelo");
  await page.waitForFunction(() => document.querySelector("#template-text")?.value.includes("{{1}}"));
  assert.ok(await createButton(page).isDisabled(), "R7: the parameters must be completed");
  await dialog(page).getByLabel("Campo {{1}}").fill("Maria");
  await dialog(page).getByLabel("Campo {{2}}").fill("Smartspace");
  await page.waitForFunction(() => document.querySelector("#template-text")?.value.includes("Olá Maria, aqui é da Smartspace."));
  // R7: the image header is previewed before sending.
  const previewImage = dialog(page).locator(".template-preview img");
  await previewImage.waitFor();
  assert.match(await previewImage.getAttribute("src"), /^https:\/\//);
  await page.waitForFunction(() => !document.querySelector('[role="dialog"] button.primary[type="submit"]').disabled);
  assert.ok((await text.inputValue()).includes("Olá Maria, aqui é da Smartspace."));
  await assertAccessible(page, "Nova Conversa (modelo)");
  await screenshot(page, "nova-conversa-modelo-wide");
  await createButton(page).click();

  // The chat opens with the template, its image header recorded (R7); R11: first contact → the card shows the number.
  await dialog(page).waitFor({ state: "detached" });
  const template = messagesOf(page).filter({ hasText: "Olá Maria, aqui é da Smartspace." });
  await template.waitFor();
  assert.equal(await template.locator("img.header-image").count(), 1, "R7: the sent image header is in the chat history");
  const card = page.locator("button.card.selected");
  assert.equal((await card.locator(".card-name").textContent()).replace(/\D/g, ""), waId(number));
  // Status ticks follow the sandbox's sent → delivered → read.
  await template.locator('.ticks[data-status="read"]').waitFor({ timeout: 20_000 });

  // R8: the input stays disabled with the alert; R9: "+Selecionar Template" reopens Nova Conversa prefilled.
  assert.ok(await chatInput(page).isDisabled(), "R8: no free text before the reply");
  const alert = page.getByTestId("window-alert");
  await alert.getByText("Aguardando a resposta do cliente").waitFor();
  await assertAccessible(page, "Atendimento (aguardando resposta)");
  await screenshot(page, "atendimento-aguardando-wide");
  await alert.getByRole("button", { name: "+Selecionar Template" }).click();
  assert.equal(await dialog(page).getByLabel("Número de Origem").inputValue(), channelId);
  assert.equal(await dialog(page).getByLabel("Para").inputValue(), "+" + waId(number));
  await page.waitForFunction(() => document.querySelectorAll("#template option").length > 1);
  await dialog(page).getByLabel("Escolher Modelo").selectOption("aviso_retorno|pt_BR");
  await page.waitForFunction(() => !document.querySelector('[role="dialog"] button.primary[type="submit"]').disabled);
  await createButton(page).click();
  await messagesOf(page).filter({ hasText: "Recebemos seu contato" }).waitFor();

  // R8: the customer replies → the reply shows, the alert disappears, the input is enabled; R11: the card shows the name.
  await customerSends(web.base, waId(number), { name: "Maria Ativa", text: "Oi, pode continuar" });
  await messagesOf(page).filter({ hasText: "Oi, pode continuar" }).waitFor();
  await alert.waitFor({ state: "detached" });
  await page.waitForFunction(() => !document.querySelector("#chat-text").disabled);
  await page.locator("button.card.selected .card-name", { hasText: "Maria Ativa" }).waitFor();

  await chatInput(page).fill("Claro! Como posso ajudar?");
  await page.getByRole("button", { name: "Enviar" }).click();
  await messagesOf(page).filter({ hasText: "Claro! Como posso ajudar?" }).locator('.ticks[data-status="read"]').waitFor({ timeout: 20_000 });
  await assertAccessible(page, "Atendimento (chat)");
  await screenshot(page, "atendimento-chat-wide");

  // R16: Qualificar Atendimento → Finalizar Atendimento → the success notice; the card leaves.
  await page.getByLabel("Motivo de contato").selectOption("duvida");
  await page.getByLabel("Descrição do Atendimento").fill("Cliente retomou o pedido.");
  await page.getByRole("button", { name: "Finalizar Atendimento" }).click();
  await page.getByRole("status").getByText(S.finished).waitFor();
  await page.locator("button.card", { hasText: "Maria Ativa" }).waitFor({ state: "detached" });
  await screenshot(page, "atendimento-finalizado-wide");

  // R6: window open → Nova Conversa opens the chat at once, with the last conversation's history, free text allowed.
  await page.getByRole("button", { name: "Nova Conversa" }).click();
  await dialog(page).getByLabel("Para").fill(number);
  await page.waitForFunction(() => !document.querySelector('[role="dialog"] button.primary[type="submit"]').disabled);
  await createButton(page).click();
  await dialog(page).waitFor({ state: "detached" });
  const last = page.getByRole("list", { name: "Histórico da última conversa" });
  await last.getByText("Oi, pode continuar").waitFor();
  await last.getByText("Claro! Como posso ajudar?").waitFor();
  assert.ok(await chatInput(page).isEnabled(), "R6: the agent may type free text");
  await screenshot(page, "atendimento-janela-aberta-wide");

  // R17: Histórico — the finished conversation, searchable by number, name, qualification and dates, with its messages.
  await page.getByRole("link", { name: /Histórico/ }).click();
  await page.getByRole("heading", { name: "Histórico" }).waitFor();
  const rows = page.locator("table.history-table tbody tr[data-conversation-id]");
  const search = async (fields) => {
    for (const [label, value] of Object.entries(fields)) {
      const field = page.getByLabel(label, { exact: true });
      if (await field.evaluate((e) => e.tagName) === "SELECT") await field.selectOption(value); else await field.fill(value);
    }
    await page.getByRole("button", { name: "Pesquisar" }).click();
  };
  await search({ "Número do cliente": number });
  await rows.filter({ hasText: "Maria Ativa" }).waitFor();
  assert.equal(await rows.count(), 1);
  await search({ "Número do cliente": "", "Nome do cliente": "Maria Ativa" });
  await rows.filter({ hasText: "Maria Ativa" }).waitFor();
  const today = new Date().toLocaleDateString("en-CA");
  await search({ "Nome do cliente": "", "Qualificação": "duvida", "De": today, "Até": today });
  await rows.filter({ hasText: "Maria Ativa" }).waitFor();
  await search({ "Qualificação": "venda" });
  await page.getByText("Nenhum atendimento encontrado.").waitFor();
  await search({ "Qualificação": "", "De": "", "Até": "", "Número do cliente": number });
  const row = rows.filter({ hasText: "Maria Ativa" });
  await row.getByText("Dúvida").waitFor();
  await row.getByText("Ana Souza").waitFor();
  await row.getByRole("button", { name: "Maria Ativa", exact: true }).click();
  await page.locator("tr.history-detail").getByText("Cliente retomou o pedido.").waitFor();
  await page.locator("tr.history-detail").getByText("Oi, pode continuar").waitFor();
  await assertAccessible(page, "Histórico");
  await screenshot(page, "historico-wide");

  // R10: "⋮" → "+ Iniciar Nova Conversa" opens Nova Conversa with channel and customer prefilled.
  await row.getByRole("button", { name: /Ações/ }).click();
  await page.getByRole("menuitem", { name: "+ Iniciar Nova Conversa" }).click();
  assert.equal(await dialog(page).getByLabel("Número de Origem").inputValue(), channelId);
  assert.equal((await dialog(page).getByLabel("Para").inputValue()).replace(/\D/g, ""), waId(number));
  await page.waitForFunction(() => !document.querySelector('[role="dialog"] button.primary[type="submit"]').disabled);
  await createButton(page).click();
  await dialog(page).waitFor({ state: "detached" });
  await page.locator("button.card.selected .card-name", { hasText: "Maria Ativa" }).waitFor();
});

test("R12, R13: refusals in the Atendimento screen's \"Atenção!\" box with the exact texts", async () => {
  const ana = await agentApi(web.base, "ana");
  const bruno = await agentApi(web.base, "bruno");
  const held = customer();
  await startWithTemplate(ana, held);
  const { page } = await open("bruno");

  const tryStart = async (number) => {
    await page.getByRole("button", { name: "Nova Conversa" }).click();
    await dialog(page).getByLabel("Para").fill(number);
    await page.waitForFunction(() => !document.querySelector('[role="dialog"] button.primary[type="submit"]').disabled);
    await createButton(page).click();
  };
  // R13: the customer is held by ana.
  await tryStart(held);
  const box = page.getByRole("alert").filter({ hasText: S.attention });
  await box.getByText(S.customerInService, { exact: true }).waitFor();
  assert.equal(await dialog(page).count(), 0);
  await assertAccessible(page, "Atendimento (Atenção!)");
  await screenshot(page, "atencao-cliente-em-atendimento-wide");
  await box.getByRole("button", { name: "Fechar" }).click();

  // R12: bruno holds his maximum (2) — one open, one waiting for a reply — and the next start is refused.
  const first = customer();
  const second = customer();
  await startWithTemplate(bruno, first);
  await startWithTemplate(bruno, second);
  await customerSends(web.base, waId(first), { name: "Primeiro", text: "Oi" });
  await page.locator("button.card", { hasText: "Primeiro" }).waitFor();
  await page.locator("button.card").nth(1).waitFor();
  await tryStart(customer());
  await box.getByText(S.agentAtCapacity, { exact: true }).waitFor();
  assert.equal(await box.locator(".alert-title").textContent(), S.attention);
  await screenshot(page, "atencao-capacidade-wide");
});

test("P7: every inbound type is shown as the API describes it", async () => {
  const { page, number } = await consoleOnNewConversation("ana", sizes.narrow);
  const from = waId(number);
  await customerSends(web.base, from, { name: "Tipos", text: "primeira" });
  for (const type of ["image", "audio", "video", "document", "sticker", "location", "contacts", "button", "interactive", "reaction", "unsupported"]) {
    await customerSends(web.base, from, { type, text: type === "reaction" ? "👍" : `legenda ${type}` });
  }
  const shown = page.locator("ol.messages.current > li.in");
  await page.waitForFunction(() => document.querySelectorAll("ol.messages.current > li.in").length >= 12, null, { timeout: 20_000 });
  const kinds = await shown.evaluateAll((items) => items.map((i) => [i.dataset.kind, i.querySelector(".message-text").textContent]));
  const byKind = Object.fromEntries(kinds);
  assert.match(byKind.image, /^📷 Imagem — legenda image/);
  assert.match(byKind.audio, /^🎤 Áudio/);
  assert.match(byKind.video, /^🎬 Vídeo — legenda video/);
  assert.match(byKind.document, /^📄 documento\.pdf — legenda document/);
  assert.match(byKind.location, /^📍 Localização/);
  assert.match(byKind.reaction, /^Reagiu com 👍/);
  assert.ok(byKind.sticker && byKind.contacts && byKind.button && byKind.interactive && byKind.unsupported, JSON.stringify(byKind));
  assert.equal(await shown.filter({ hasText: "📷 Imagem" }).locator(".kind-label").textContent(), "Imagem");

  await assertFitsWidth(page, "Atendimento at 390px");
  await assertAccessible(page, "Atendimento 390 px");
  await screenshot(page, "atendimento-tipos-narrow");
});

test("Status ticks: a message Meta fails shows the failure and its reason", async () => {
  const { page, number } = await consoleOnNewConversation("ana", sizes.wide);
  // The customer's message reaches the product but not the sandbox's idea of the window: Meta (the sandbox) fails the send (131047).
  await inboundText(web.base, waId(number), "Falha", "pode responder");
  await page.waitForFunction(() => !document.querySelector("#chat-text").disabled);
  await chatInput(page).fill("Mensagem que vai falhar");
  await page.getByRole("button", { name: "Enviar" }).click();
  const sent = messagesOf(page).filter({ hasText: "Mensagem que vai falhar" });
  await sent.locator('.ticks[data-status="failed"]').waitFor({ timeout: 20_000 });
  await sent.getByRole("note").getByText("Mensagem não entregue: passaram mais de 24 horas desde a última mensagem do cliente. Envie um Modelo de mensagem.").waitFor();
  await screenshot(page, "atendimento-falha-wide");
});

test("R18, R19: the socket is cut while the customer writes — offline alert and \"Perda de Conexão\", sending disabled; after reconnection every message appears exactly once", async () => {
  // The page's WebSocket goes through the test: it can be cut, and new ones refused while "offline".
  let offline = false;
  const links = [];
  const attempts = [];
  const { page, number } = await consoleOnNewConversation("ana", sizes.wide, async ({ page }) => {
    await page.routeWebSocket(/\/client\/hubs\//, (ws) => {
      attempts.push(Date.now());
      if (offline) { ws.close({ code: 4000, reason: "offline" }); return; }
      const server = ws.connectToServer();
      links.push({ ws, server });
    });
  });
  await customerSends(web.base, waId(number), { name: "Offline", text: "antes da queda" });
  await messagesOf(page).filter({ hasText: "antes da queda" }).waitFor();
  await page.waitForFunction(() => !document.querySelector("#chat-text").disabled);

  offline = true;
  for (const { ws, server } of links.splice(0)) { await server.close().catch(() => undefined); await ws.close({ code: 4000, reason: "cut" }).catch(() => undefined); }
  await page.getByTestId("offline-alert").getByText(S.offlineAlert, { exact: true }).waitFor();
  assert.ok(await chatInput(page).isDisabled(), "R18: sending disabled while offline");
  assert.equal(await chatInput(page).getAttribute("placeholder"), S.connectionLost);
  assert.ok(await page.getByRole("button", { name: "Enviar" }).isDisabled());
  const cards = await page.locator("button.card").count();
  assert.equal(await page.locator("button.card .connection-lost").filter({ hasText: S.connectionLost }).count(), cards, "R18: every chat card shows it");
  await assertAccessible(page, "Atendimento offline");
  await screenshot(page, "atendimento-offline-wide");

  // While offline the customer writes; the agent's socket receives none of it.
  const whileOffline = ["durante 1", "durante 2", "durante 3"];
  for (const text of whileOffline) await customerSends(web.base, waId(number), { text });
  await delay(1500);
  for (const text of whileOffline) assert.equal(await messagesOf(page).filter({ hasText: text }).count(), 0);

  // R19: it keeps retrying on its own; once the retries have backed off (seconds apart), the network comes back right
  // after a refused attempt and the tab becomes visible: it reconnects at once instead of waiting for the next retry.
  await delay(4000);
  const seen = attempts.length;
  for (const start = Date.now(); attempts.length === seen && Date.now() - start < 15_000;) await delay(25);
  assert.ok(attempts.length > seen, "the client keeps trying to reconnect while offline");
  await delay(200);
  offline = false;
  const back = Date.now();
  await page.evaluate(() => document.dispatchEvent(new Event("visibilitychange")));
  await page.locator('[data-testid="connection-state"][data-state="online"]').waitFor({ timeout: 15_000 });
  const reconnectMs = Date.now() - back;
  for (const text of whileOffline) await messagesOf(page).filter({ hasText: text }).waitFor();
  await page.getByTestId("offline-alert").waitFor({ state: "detached" });
  assert.ok(await chatInput(page).isEnabled());

  // Live again: one more message, then every message exactly once.
  await customerSends(web.base, waId(number), { text: "depois da volta" });
  await messagesOf(page).filter({ hasText: "depois da volta" }).waitFor();
  await delay(500);
  for (const text of ["antes da queda", ...whileOffline, "depois da volta"]) {
    assert.equal(await messagesOf(page).filter({ hasText: text }).count(), 1, `"${text}" exactly once`);
  }
  const ids = await messagesOf(page).evaluateAll((items) => items.map((i) => i.dataset.messageId));
  assert.equal(new Set(ids).size, ids.length, "no message twice");
  assert.ok(reconnectMs < 1500, `reconnected ${reconnectMs} ms after the tab became visible (the next retry was seconds away)`);
  await screenshot(page, "atendimento-reconectado-wide");
});

test("supervisor: carla sees the contact center's conversations live (group events) on Atendimento and Histórico at 390 px", async () => {
  const { page, number } = await consoleOnNewConversation("carla", sizes.narrow);
  await customerSends(web.base, waId(number), { name: "Supervisionada", text: "mensagem ao vivo" });
  await messagesOf(page).filter({ hasText: "mensagem ao vivo" }).waitFor();
  await screenshot(page, "atendimento-supervisora-narrow");
  await page.getByRole("link", { name: /Histórico/ }).click();
  // R17 by agent (a supervisor searches every agent's history): ana's finished conversation, and none of bruno's.
  const rows = page.locator("table.history-table tbody tr[data-conversation-id]");
  await page.getByLabel("Atendente").selectOption("ana");
  await page.getByRole("button", { name: "Pesquisar" }).click();
  await rows.filter({ hasText: "Maria Ativa" }).waitFor();
  await page.getByLabel("Atendente").selectOption("bruno");
  await page.getByRole("button", { name: "Pesquisar" }).click();
  await page.getByText("Nenhum atendimento encontrado.").waitFor();
  await page.getByLabel("Atendente").selectOption("");
  await page.getByRole("button", { name: "Pesquisar" }).click();
  await rows.filter({ hasText: "Maria Ativa" }).waitFor();
  await assertFitsWidth(page, "Histórico at 390px");
  await assertAccessible(page, "Histórico 390 px");
  await screenshot(page, "historico-narrow");
});
