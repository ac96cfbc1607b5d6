using System.Net;

namespace Smartspace.Meta.Sandbox;

/// <summary>The tiny HTML page at <c>GET /sandbox</c>: a customer simulator form and the outbox.</summary>
internal static class SandboxPage
{
    public static string Html(string prefix, string defaultPhoneNumberId)
    {
        var p = WebUtility.HtmlEncode(prefix.TrimEnd('/'));
        var channel = WebUtility.HtmlEncode(defaultPhoneNumberId);
        return $$"""
<!doctype html>
<html lang="pt-BR">
<head>
<meta charset="utf-8">
<title>Smartspace — Meta sandbox</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem}
label{display:block;margin:.4rem 0}
input,select{width:22rem;padding:.3rem}
table{border-collapse:collapse;margin-top:1rem;width:100%;font-size:.85rem}
td,th{border:1px solid #ccc;padding:.25rem .4rem;text-align:left;vertical-align:top}
#result{font-family:monospace;margin-top:.5rem}
</style>
</head>
<body>
<h1>Meta sandbox</h1>
<p>Simula um cliente enviando mensagens pelo WhatsApp. O webhook assinado é enviado para o endpoint do Smartspace.</p>
<form id="customer">
<label>Número de Origem (phone_number_id) <input name="phoneNumberId" value="{{channel}}" required></label>
<label>Cliente (wa_id, só dígitos) <input name="from" value="5511987654321" required></label>
<label>Nome <input name="name" value="Maria Souza"></label>
<label>Tipo <select name="type">
<option>text</option><option>image</option><option>audio</option><option>video</option><option>document</option>
<option>sticker</option><option>location</option><option>contacts</option><option>button</option>
<option>interactive</option><option>reaction</option><option>unsupported</option></select></label>
<label>Texto (legenda, emoji da reação) <input name="text" value="Olá, preciso de ajuda"></label>
<label>Arquivo (imagem, áudio, vídeo, documento) <input name="file" type="file"></label>
<label>Responde a (wamid, opcional) <input name="replyTo"></label>
<button type="submit">Enviar como cliente</button>
</form>
<div id="result"></div>
<h2>Mensagens recebidas do Smartspace</h2>
<table><thead><tr><th>Recebida</th><th>Canal</th><th>Para</th><th>Tipo</th><th>Conteúdo</th><th>Resultado</th></tr></thead>
<tbody id="outbox"></tbody></table>
<script>
const prefix = "{{p}}";
document.getElementById("customer").addEventListener("submit", async e => {
  e.preventDefault();
  const form = new FormData(e.target);
  const file = form.get("file");
  form.delete("file");
  const body = Object.fromEntries([...form.entries()].filter(([, v]) => v !== ""));
  if (file && file.size > 0) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    let binary = "";
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    body.mediaBase64 = btoa(binary);
    body.mimeType = file.type || undefined;
    body.fileName = file.name;
  }
  const r = await fetch(prefix + "/customers/messages", {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
  document.getElementById("result").textContent = r.status + " " + await r.text();
  refresh();
});
function cell(text) { const td = document.createElement("td"); td.textContent = text ?? ""; return td; }
async function refresh() {
  const r = await fetch(prefix + "/outbox");
  const rows = await r.json();
  const tbody = document.getElementById("outbox");
  tbody.replaceChildren(...rows.reverse().map(m => {
    const tr = document.createElement("tr");
    [m.receivedAt, m.phoneNumberId, m.waId ?? m.to, m.templateName ? "template " + m.templateName : m.type, m.text,
     m.result + (m.errorCode ? " " + m.errorCode : "")].forEach(v => tr.appendChild(cell(v)));
    return tr;
  }));
}
refresh();
setInterval(refresh, 3000);
</script>
</body>
</html>
""";
    }
}
