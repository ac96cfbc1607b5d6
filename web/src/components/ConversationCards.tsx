import type { ConsoleStore } from "../store";
import { labels, verbatim } from "../texts";
import { customerLabel, ordered } from "../timeline";

/** The agent's conversations in progress (R11: the customer's name, else the number), newest first. */
export function ConversationCards({ store }: { store: ConsoleStore }) {
  const timelines = [...store.timelines.values()].sort((a, b) =>
    (b.conversation.lastMessageAt ?? b.conversation.createdAt).localeCompare(a.conversation.lastMessageAt ?? a.conversation.createdAt));
  return (
    <nav class="cards" aria-label={labels.attendance}>
      <button type="button" class="primary new-conversation" onClick={() => store.openNewConversation()}>{labels.newConversation}</button>
      {timelines.length === 0 && <p class="muted">{labels.noConversations}</p>}
      <ul>
        {timelines.map((t) => {
          const messages = ordered(t);
          const last = messages[messages.length - 1];
          const selected = store.selectedId === t.conversation.id;
          return (
            <li key={t.conversation.id}>
              <button type="button" class={`card${selected ? " selected" : ""}`} aria-current={selected ? "true" : undefined}
                data-conversation-id={t.conversation.id} onClick={() => store.select(t.conversation.id)}>
                <span class="card-name">{customerLabel(t.conversation)}</span>
                {store.online
                  ? <span class="card-preview">{t.conversation.awaitingCustomerReply ? labels.awaitingReplyInput : last?.text ?? ""}</span>
                  : <span class="card-preview connection-lost">{verbatim.connectionLostBadge}</span>}
              </button>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
