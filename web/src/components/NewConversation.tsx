import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { ApiError, type NumberCheck, type Template, type TemplatePreview, type TemplateRequest } from "../api";
import type { ConsoleStore, NewConversationSeed } from "../store";
import { labels } from "../texts";

/** How long typing must pause before R3's error is shown: no red flash while a number is still being typed. */
const settleMs = 900;
const attentionCodes = new Set(["agent_at_capacity", "customer_in_service"]);

/**
 * "Nova Conversa" (R1–R7, R9, R10): "Número de Origem" (preselected with one channel), "Para" checked live by the API;
 * "+Criar Conversa" enabled only when every required field is valid. When the API answers that the window is closed, the
 * popup shows the 24-hour alert with "Escolher Modelo" (approved templates only) and "Texto do Modelo" (R7).
 */
export function NewConversation({ store, seed }: { store: ConsoleStore; seed: NewConversationSeed }) {
  const [channelId, setChannelId] = useState(seed.channelId ?? store.preselectedChannelId ?? "");
  const [number, setNumber] = useState(seed.number);
  const [check, setCheck] = useState<{ number: string; result: NumberCheck } | null>(null);
  const [settled, setSettled] = useState(seed.number !== "");
  const [templateStep, setTemplateStep] = useState(Boolean(seed.templateRequired));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const dialog = useRef<HTMLDivElement>(null);

  useEffect(() => { dialog.current?.querySelector<HTMLElement>("select, input")?.focus(); }, []);

  // R2–R5: the API says whether the number is incomplete, invalid or valid; the verdict applies only to the value it was asked for.
  useEffect(() => {
    let live = true;
    const typed = number;
    const timer = setTimeout(() => {
      store.api.checkNumber(typed).then((result) => { if (live) setCheck({ number: typed, result }); }).catch(() => undefined);
    }, 120);
    return () => { live = false; clearTimeout(timer); };
  }, [number]);
  useEffect(() => {
    setSettled(false);
    const timer = setTimeout(() => setSettled(true), settleMs);
    return () => clearTimeout(timer);
  }, [number]);

  const verdict = check?.number === number ? check.result : null;
  // R3 text only for a number the API calls invalid, never for one still being typed; "+Criar Conversa" only when valid (R4, R5).
  const showError = settled && number !== "" && verdict?.state === "invalid" && verdict.error !== null;
  const numberValid = verdict?.state === "valid";
  const template = useTemplateStep(store, channelId, templateStep);
  const ready = channelId !== "" && numberValid && !busy && store.online && (!templateStep || template.complete);

  const create = async (e: Event) => {
    e.preventDefault();
    if (!ready) return;
    setBusy(true);
    setError(null);
    try {
      store.opened(await store.api.start(channelId, number, templateStep ? template.request ?? undefined : undefined));
    } catch (err) {
      if (err instanceof ApiError && err.code === "template_required") {
        setTemplateStep(true); // R7: the window is closed
      } else if (err instanceof ApiError && attentionCodes.has(err.code)) {
        store.closeNewConversation();
        store.refused(err); // R12, R13: the "Atenção!" box of the Atendimento screen
      } else {
        setError(err instanceof Error ? err.message : String(err));
      }
    } finally {
      setBusy(false);
    }
  };

  const close = () => store.closeNewConversation();
  return (
    <div class="overlay" onKeyDown={(e) => { if (e.key === "Escape") close(); }}>
      <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="new-conversation-title" ref={dialog}>
        <header>
          <h2 id="new-conversation-title">{labels.newConversation}</h2>
          <button type="button" class="close" aria-label={labels.close} onClick={close}>×</button>
        </header>
        <form onSubmit={create} noValidate>
          <label for="channel">{labels.channel}</label>
          <select id="channel" required value={channelId} onChange={(e) => setChannelId((e.target as HTMLSelectElement).value)}>
            {store.channels.length !== 1 && <option value="">{labels.channelPlaceholder}</option>}
            {store.channels.map((c) => <option key={c.channelId} value={c.channelId}>{c.displayNumber} — {c.name}</option>)}
          </select>

          <label for="to">{labels.to}</label>
          <input id="to" type="tel" inputMode="tel" autocomplete="off" required value={number} placeholder="(11)999999999"
            aria-invalid={showError ? "true" : "false"} aria-describedby={showError ? "to-error" : "to-hint"} data-number-state={verdict?.state ?? "checking"}
            readOnly={templateStep && seed.templateRequired}
            onInput={(e) => { setNumber((e.target as HTMLInputElement).value); setTemplateStep(false); }}
            onBlur={() => setSettled(true)} />
          {showError
            ? <p id="to-error" class="field-error" role="alert">{verdict?.error}</p>
            : <p id="to-hint" class="hint">{labels.toHint}</p>}

          {templateStep && <TemplateFields step={template} />}
          {error && <p class="field-error" role="alert">{error}</p>}
          <div class="dialog-actions">
            <button type="button" onClick={close}>{labels.cancel}</button>
            <button type="submit" class="primary" disabled={!ready}>{labels.createConversation}</button>
          </div>
        </form>
      </div>
    </div>
  );
}

interface TemplateStep {
  templates: Template[];
  chosen: Template | null;
  choose: (key: string) => void;
  values: Record<string, string>;
  setValue: (name: string, value: string) => void;
  preview: TemplatePreview | null;
  request: TemplateRequest | null;
  complete: boolean;
}

/** R7: approved templates of the channel (the API lists only those), values for the template's parameters, the API's preview. */
function useTemplateStep(store: ConsoleStore, channelId: string, active: boolean): TemplateStep {
  const [templates, setTemplates] = useState<Template[]>([]);
  const [key, setKey] = useState("");
  const [values, setValues] = useState<Record<string, string>>({});
  const [preview, setPreview] = useState<{ key: string; result: TemplatePreview } | null>(null);

  useEffect(() => {
    if (!active || !channelId) return;
    store.api.templates(channelId).then((r) => setTemplates(r.templates)).catch((e) => store.refused(e));
  }, [active, channelId]);

  const chosen = templates.find((t) => `${t.name}|${t.language}` === key) ?? null;
  const request = useMemo<TemplateRequest | null>(() => {
    if (!chosen) return null;
    const body = chosen.parameterFormat === "named"
      ? Object.fromEntries(chosen.variables.map((v) => [v, values[v] ?? ""]))
      : chosen.variables.map((v) => values[v] ?? "");
    return { name: chosen.name, language: chosen.language, body, headerImageLink: chosen.headerFormat === "image" ? chosen.headerExample ?? undefined : undefined };
  }, [chosen, values]);
  const requestKey = JSON.stringify(request);

  useEffect(() => {
    if (!request) return;
    let live = true;
    const timer = setTimeout(() => {
      store.api.preview(channelId, request).then((result) => { if (live) setPreview({ key: requestKey, result }); }).catch(() => undefined);
    }, 100);
    return () => { live = false; clearTimeout(timer); };
  }, [requestKey]);

  const current = preview?.key === requestKey ? preview.result : null;
  return {
    templates, chosen, values, request,
    choose: (k) => { setKey(k); setValues({}); },
    setValue: (name, value) => setValues((v) => ({ ...v, [name]: value })),
    preview: current,
    complete: Boolean(request && current?.complete),
  };
}

function TemplateFields({ step }: { step: TemplateStep }) {
  const chosen = step.chosen;
  return (
    <fieldset class="template-step">
      <div class="alert warning" role="alert" data-testid="window-closed-alert">{labels.windowClosedAlert}</div>
      <label for="template">{labels.chooseTemplate}</label>
      <select id="template" required value={chosen ? `${chosen.name}|${chosen.language}` : ""} onChange={(e) => step.choose((e.target as HTMLSelectElement).value)}>
        <option value="">{labels.templatePlaceholder}</option>
        {step.templates.map((t) => <option key={`${t.name}|${t.language}`} value={`${t.name}|${t.language}`}>{t.name} ({t.language})</option>)}
      </select>
      {chosen?.variables.map((v) => (
        <div class="parameter" key={v}>
          <label for={`param-${v}`}>{labels.templateParameter(v)}</label>
          <input id={`param-${v}`} type="text" required value={step.values[v] ?? ""} onInput={(e) => step.setValue(v, (e.target as HTMLInputElement).value)} />
        </div>
      ))}
      {chosen && step.preview?.headerImage && (
        <figure class="template-preview">
          <img src={step.preview.headerImage} alt={labels.headerImage} width={240} height={120} />
          <figcaption>{labels.templatePreview}</figcaption>
        </figure>
      )}
      <label for="template-text">{labels.templateText}</label>
      <textarea id="template-text" rows={5} readOnly required value={chosen ? step.preview?.text ?? chosen.body : ""} />
    </fieldset>
  );
}
