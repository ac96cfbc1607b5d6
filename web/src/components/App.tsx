import { useEffect, useMemo, useState } from "preact/hooks";
import { ConsoleStore, useStore } from "../store";
import { labels, verbatim } from "../texts";
import { AttentionBox, Warning } from "./AlertBox";
import { Chat } from "./Chat";
import { ConversationCards } from "./ConversationCards";
import { History } from "./History";
import { NewConversation } from "./NewConversation";
import { Qualify } from "./Qualify";

type Screen = "atendimento" | "historico";
const paths: Record<Screen, string> = { atendimento: "/", historico: "/historico" };
const screenOf = (path: string): Screen => (path.startsWith("/historico") ? "historico" : "atendimento");

/** The signed-in console: Atendimento (cards, chat, Qualificar Atendimento) and Histórico, with the connection alert (R18). */
export function App({ token, onSignOut }: { token: string; onSignOut: () => void }) {
  const store = useMemo(() => new ConsoleStore(token), [token]);
  useStore(store);
  const [screen, setScreen] = useState<Screen>(screenOf(location.pathname));
  const [failed, setFailed] = useState<string | null>(null);

  useEffect(() => {
    store.start().catch((e) => setFailed(String(e instanceof Error ? e.message : e)));
    const onPop = () => setScreen(screenOf(location.pathname));
    window.addEventListener("popstate", onPop);
    return () => { store.stop(); window.removeEventListener("popstate", onPop); };
  }, [store]);

  const go = (next: Screen) => {
    if (location.pathname !== paths[next]) history.pushState(null, "", paths[next]);
    setScreen(next);
  };
  useEffect(() => { document.title = `${screen === "historico" ? labels.history : labels.attendance} — ${labels.product}`; }, [screen]);

  const attention = store.notices.filter((n) => n.kind === "attention");
  const success = store.notices.filter((n) => n.kind === "success");
  return (
    <div class="app">
      <header class="top">
        <h1>{labels.product}</h1>
        <nav class="tabs" aria-label={labels.attendance}>
          <a href={paths.atendimento} aria-current={screen === "atendimento" ? "page" : undefined} onClick={(e) => { e.preventDefault(); go("atendimento"); }}>{labels.attendance}</a>
          <a href={paths.historico} aria-current={screen === "historico" ? "page" : undefined} onClick={(e) => { e.preventDefault(); go("historico"); }}>{labels.attendance} &gt; {labels.history}</a>
        </nav>
        <span class={`connection ${store.connection}`} data-testid="connection-state" data-state={store.connection}>
          {store.online ? labels.online : verbatim.connectionLostBadge}
        </span>
        <span class="who">{store.me?.name}</span>
        <button type="button" onClick={onSignOut}>{labels.signOut}</button>
      </header>
      {failed && <Warning>{failed}</Warning>}
      {store.connection === "offline" && <Warning testId="offline-alert">{verbatim.connectionLostAlert}</Warning>}
      <div class="notices" role="status" aria-live="polite">
        {success.map((n) => (
          <p class="notice success" key={n.text}>{n.text}
            <button type="button" class="close" aria-label={labels.close} onClick={() => store.dismiss(n)}>×</button></p>
        ))}
      </div>
      {screen === "atendimento" ? (
        <main class="attendance" aria-label={labels.attendance}>
          {attention.map((n) => <AttentionBox key={n.text} text={n.text} onClose={() => store.dismiss(n)} />)}
          <div class="attendance-grid">
            <ConversationCards store={store} />
            <Chat key={store.selectedId ?? ""} store={store} />
            <Qualify key={store.selectedId ?? ""} store={store} />
          </div>
        </main>
      ) : (
        <main class="history-screen" aria-label={labels.history}>
          <History store={store} onStart={() => go("atendimento")} />
        </main>
      )}
      {store.newConversation && <NewConversation key={JSON.stringify(store.newConversation)} store={store} seed={store.newConversation} />}
    </div>
  );
}
