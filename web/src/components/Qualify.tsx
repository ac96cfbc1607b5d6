import { useState } from "preact/hooks";
import type { ConsoleStore } from "../store";
import { labels } from "../texts";

/** "Qualificar Atendimento": optional contact reason and description, then "Finalizar Atendimento" (R16). */
export function Qualify({ store }: { store: ConsoleStore }) {
  const [reason, setReason] = useState("");
  const [description, setDescription] = useState("");
  const [busy, setBusy] = useState(false);
  const id = store.selectedId;
  if (!id || !store.timelines.has(id)) return null;

  const finish = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      const result = await store.api.finish(id, reason || null, description.trim() || null);
      store.notify({ kind: "success", text: result.notice });
      store.forget(id);
      setReason("");
      setDescription("");
    } catch (error) {
      store.refused(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="qualify" aria-labelledby="qualify-title">
      <h2 id="qualify-title">{labels.qualify}</h2>
      <form onSubmit={finish}>
        <label for="reason">{labels.contactReason}</label>
        <select id="reason" value={reason} onChange={(e) => setReason((e.target as HTMLSelectElement).value)}>
          <option value="">{labels.reasonNone}</option>
          {store.qualifications.map((q) => <option key={q.id} value={q.id}>{q.name}</option>)}
        </select>
        <label for="description">{labels.description}</label>
        <textarea id="description" rows={4} value={description} onInput={(e) => setDescription((e.target as HTMLTextAreaElement).value)} />
        <button type="submit" class="primary" disabled={busy || !store.online}>{labels.finish}</button>
      </form>
    </section>
  );
}
