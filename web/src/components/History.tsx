import { useEffect, useState } from "preact/hooks";
import type { DevAgent, HistoryItem } from "../api";
import type { ConsoleStore } from "../store";
import { labels } from "../texts";
import { customerLabel } from "../timeline";
import { MessageBubble } from "./MessageBubble";

interface Filters { number: string; name: string; agentId: string; from: string; to: string; qualificationId: string }
const empty: Filters = { number: "", name: "", agentId: "", from: "", to: "", qualificationId: "" };

/** Dates typed as days (local time) become the API's instants: from the start of the first day to the end of the last. */
function toQuery(f: Filters): Record<string, string> {
  return {
    number: f.number.trim(), name: f.name.trim(), agentId: f.agentId, qualificationId: f.qualificationId,
    from: f.from ? new Date(`${f.from}T00:00:00`).toISOString() : "",
    to: f.to ? new Date(`${f.to}T23:59:59.999`).toISOString() : "",
  };
}

/** Histórico (R17): finished conversations searchable by number, name, agent, dates and qualification; each with its messages; "⋮" → "+ Iniciar Nova Conversa" (R10). */
export function History({ store, onStart }: { store: ConsoleStore; onStart: () => void }) {
  const [filters, setFilters] = useState(empty);
  const [items, setItems] = useState<HistoryItem[] | null>(null);
  const [agents, setAgents] = useState<DevAgent[]>([]);
  const [open, setOpen] = useState<string | null>(null);
  const [menu, setMenu] = useState<string | null>(null);
  const supervisor = store.me?.role === "supervisor";

  const search = async (e?: Event) => {
    e?.preventDefault();
    try {
      setItems((await store.api.history(toQuery(filters))).items);
    } catch (error) {
      store.refused(error);
    }
  };
  useEffect(() => {
    void search();
    if (supervisor) store.api.agents().then((r) => setAgents(r.agents)).catch(() => undefined);
  }, []);
  const field = (name: keyof Filters) => ({
    id: `h-${name}`, value: filters[name],
    onInput: (e: Event) => setFilters({ ...filters, [name]: (e.target as HTMLInputElement).value }),
  });
  const agentName = (id: string | null) =>
    agents.find((a) => a.agentId === id)?.name ?? (id && id === store.me?.agentId ? store.me.name : id ?? "");
  const start = (item: HistoryItem) => {
    setMenu(null);
    store.openNewConversation({ channelId: item.conversation.channelId, number: item.conversation.customerNumber ?? "" });
    onStart();
  };

  return (
    <section class="history" aria-labelledby="history-title">
      <h2 id="history-title">{labels.history}</h2>
      <form class="history-filters" onSubmit={search}>
        <div><label for="h-number">{labels.number}</label><input type="search" {...field("number")} /></div>
        <div><label for="h-name">{labels.name}</label><input type="search" {...field("name")} /></div>
        {supervisor && (
          <div><label for="h-agentId">{labels.agent}</label>
            <select {...field("agentId")} onChange={field("agentId").onInput}>
              <option value="">{labels.anyAgent}</option>
              {agents.map((a) => <option key={a.agentId} value={a.agentId}>{a.name}</option>)}
            </select></div>
        )}
        <div><label for="h-from">{labels.dateFrom}</label><input type="date" {...field("from")} /></div>
        <div><label for="h-to">{labels.dateTo}</label><input type="date" {...field("to")} /></div>
        <div><label for="h-qualificationId">{labels.qualification}</label>
          <select {...field("qualificationId")} onChange={field("qualificationId").onInput}>
            <option value="">{labels.anyQualification}</option>
            {store.qualifications.map((q) => <option key={q.id} value={q.id}>{q.name}</option>)}
          </select></div>
        <button type="submit" class="primary">{labels.search}</button>
      </form>
      {items?.length === 0 && <p class="muted">{labels.noResults}</p>}
      {items && items.length > 0 && (
        <table class="history-table">
          <thead><tr><th scope="col">{labels.name}</th><th scope="col">{labels.agent}</th><th scope="col">{labels.qualification}</th><th scope="col">{labels.closedAt}</th><th scope="col">{labels.actions}</th></tr></thead>
          <tbody>
            {items.map((item) => {
              const c = item.conversation;
              return [
                <tr key={c.id} data-conversation-id={c.id}>
                  <td><button type="button" class="link" aria-expanded={open === c.id} onClick={() => setOpen(open === c.id ? null : c.id)}>{customerLabel(c)}</button>
                    <span class="muted"> {c.customerNumber}</span></td>
                  <td>{agentName(c.agentId)}</td>
                  <td>{c.qualificationName ?? ""}</td>
                  <td>{c.closedAt ? new Date(c.closedAt).toLocaleString("pt-BR") : ""}</td>
                  <td class="actions">
                    <button type="button" class="kebab" aria-haspopup="menu" aria-expanded={menu === c.id} aria-label={`${labels.actions}: ${customerLabel(c)}`}
                      onClick={() => setMenu(menu === c.id ? null : c.id)}>⋮</button>
                    {menu === c.id && (
                      <div class="menu" role="menu">
                        <button type="button" role="menuitem" onClick={() => start(item)}>{labels.startFromHistory}</button>
                      </div>
                    )}
                  </td>
                </tr>,
                open === c.id && (
                  <tr key={`${c.id}-detail`} class="history-detail"><td colSpan={5}>
                    {c.description && <p><strong>{labels.description}:</strong> {c.description}</p>}
                    <ol class="messages" aria-label={labels.messages}>{item.messages.map((m) => <MessageBubble key={m.id} message={m} />)}</ol>
                  </td></tr>
                ),
              ];
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
