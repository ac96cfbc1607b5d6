import { useEffect, useRef, useState } from "preact/hooks";
import type { ConsoleStore } from "../store";
import { labels, verbatim } from "../texts";
import { customerLabel, ordered } from "../timeline";
import { Warning } from "./AlertBox";
import { MessageBubble } from "./MessageBubble";

/** The chat of the selected conversation: the last conversation's history (R6), the messages, the window alerts (R7–R9) and the input (R18). */
export function Chat({ store }: { store: ConsoleStore }) {
  const timeline = store.selectedId ? store.timelines.get(store.selectedId) : undefined;
  const [text, setText] = useState("");
  const [sending, setSending] = useState(false);
  const list = useRef<HTMLOListElement>(null);
  const count = timeline?.messages.size ?? 0;
  useEffect(() => { list.current?.lastElementChild?.scrollIntoView({ block: "end" }); }, [count, store.selectedId]);

  if (!timeline) {
    return <section class="chat empty" aria-label="Chat"><p>{labels.chooseConversation}</p></section>;
  }

  const conversation = timeline.conversation;
  const awaiting = conversation.awaitingCustomerReply;
  const windowClosed = !timeline.windowOpen && !awaiting;
  const offline = !store.online;
  const disabled = offline || awaiting || windowClosed || sending;
  const last = store.lastConversations.get(conversation.id);
  const reopen = () => store.openNewConversation({ channelId: conversation.channelId, number: conversation.customerNumber ?? "", templateRequired: true });

  const send = async (e: Event) => {
    e.preventDefault();
    const body = text.trim();
    if (!body || disabled) return;
    setSending(true);
    try {
      await store.api.sendText(conversation.id, body);
      setText("");
      await store.refresh(conversation.id);
    } catch (error) {
      store.refused(error);
    } finally {
      setSending(false);
    }
  };

  return (
    <section class="chat" aria-labelledby="chat-title">
      <header class="chat-header">
        <h2 id="chat-title">{customerLabel(conversation)}</h2>
        <span class="chat-number">{conversation.customerNumber}</span>
      </header>
      {last?.lastConversation && last.lastConversationMessages.length > 0 && (
        <details class="last-conversation" open>
          <summary>{labels.lastConversation}</summary>
          <ol class="messages" aria-label={labels.lastConversation} tabIndex={0}>
            {last.lastConversationMessages.map((m) => <MessageBubble key={m.id} message={m} />)}
          </ol>
        </details>
      )}
      <ol class="messages current" ref={list} aria-label={labels.messages} aria-live="polite" tabIndex={0}>
        {ordered(timeline).map((m) => <MessageBubble key={m.id} message={m} />)}
      </ol>
      {(awaiting || windowClosed) && (
        <Warning testId="window-alert">
          <p>{awaiting ? labels.awaitingReplyAlert : labels.windowClosedAlert}</p>
          <button type="button" class="primary" onClick={reopen} disabled={offline}>{labels.selectTemplate}</button>
        </Warning>
      )}
      <ChatInput value={text} onInput={setText} onSubmit={send} offline={offline} disabled={disabled}
        placeholder={awaiting ? labels.awaitingReplyInput : labels.typeMessage} />
    </section>
  );
}

/** A chat input: "Perda de Conexão" while offline, disabled while sending is not allowed (R8, R18). */
export function ChatInput(props: { value: string; onInput: (v: string) => void; onSubmit: (e: Event) => void; offline: boolean; disabled: boolean; placeholder: string }) {
  return (
    <form class="chat-input" onSubmit={props.onSubmit}>
      <label class="visually-hidden" for="chat-text">{labels.typeMessage}</label>
      <input id="chat-text" type="text" autocomplete="off" value={props.offline ? "" : props.value}
        placeholder={props.offline ? verbatim.connectionLostBadge : props.placeholder}
        disabled={props.disabled} onInput={(e) => props.onInput((e.target as HTMLInputElement).value)} />
      {props.offline && <span class="connection-lost" data-testid="connection-lost">{verbatim.connectionLostBadge}</span>}
      <button type="submit" class="primary" disabled={props.disabled || props.value.trim() === ""}>{labels.send}</button>
    </form>
  );
}
