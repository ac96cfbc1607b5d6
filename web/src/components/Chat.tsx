import { useEffect, useRef, useState } from "preact/hooks";
import type { ConsoleStore } from "../store";
import { labels, verbatim } from "../texts";
import { customerLabel, ordered } from "../timeline";
import { Warning } from "./AlertBox";
import type { Message } from "../api";
import { MessageBubble, type MessageActions } from "./MessageBubble";

/** The chat of the selected conversation: the last conversation's history (R6), the messages, the window alerts (R7–R9) and the input (R18). */
export function Chat({ store }: { store: ConsoleStore }) {
  const timeline = store.selectedId ? store.timelines.get(store.selectedId) : undefined;
  const [text, setText] = useState("");
  const [sending, setSending] = useState(false);
  const [replyTo, setReplyTo] = useState<Message | null>(null);
  const [caption, setCaption] = useState("");
  const lastTyping = useRef(0);
  const list = useRef<HTMLOListElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const count = timeline?.messages.size ?? 0;
  useEffect(() => { list.current?.lastElementChild?.scrollIntoView({ block: "end" }); }, [count, store.selectedId]);
  // Issue 16: opening the chat (and each new customer message while it is open) marks the customer's messages read at
  // WhatsApp; the API marks each one once, whoever asks and however often.
  const held = timeline?.conversation.agentId === store.me?.agentId && timeline?.conversation.stage !== "closed";
  // Only while a customer message is still unread here: no request per event when there is nothing to mark.
  const unread = timeline ? [...timeline.messages.values()].some((m) => m.direction === "in" && !m.readAt) : false;
  useEffect(() => {
    if (store.selectedId && held && unread && store.online) void store.api.markRead(store.selectedId).catch(() => undefined);
  }, [store.selectedId, count, held, unread, store.online]);
  useEffect(() => { setReplyTo(null); setCaption(""); }, [store.selectedId]);

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
      await store.api.sendText(conversation.id, body, replyTo?.id);
      setText("");
      setReplyTo(null);
      await store.refresh(conversation.id);
    } catch (error) {
      store.refused(error);
    } finally {
      setSending(false);
    }
  };

  const attach = async (e: Event) => {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = "";
    if (!file || disabled) return;
    setSending(true);
    try {
      await store.api.sendAttachment(conversation.id, file, caption.trim() || undefined, replyTo?.id);
      setCaption("");
      setReplyTo(null);
      await store.refresh(conversation.id);
    } catch (error) {
      store.refused(error);
    } finally {
      setSending(false);
    }
  };

  const typed = (value: string) => {
    setText(value);
    // WhatsApp's "digitando…" for the customer, at most every 20 s (the API throttles too; Meta shows it up to 25 s).
    const now = Date.now();
    if (value.trim() !== "" && !disabled && now - lastTyping.current > 20_000) {
      lastTyping.current = now;
      void store.api.typing(conversation.id).catch(() => undefined);
    }
  };

  const actions: MessageActions = {
    disabled,
    onReply: (message) => setReplyTo(message),
    onReact: async (message, emoji) => {
      try {
        if (emoji) await store.api.react(conversation.id, message.id, emoji);
        else await store.api.unreact(conversation.id, message.id);
        await store.refresh(conversation.id);
      } catch (error) {
        store.refused(error);
      }
    },
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
            {last.lastConversationMessages.map((m) => <MessageBubble key={m.id} message={m} api={store.api} />)}
          </ol>
        </details>
      )}
      <ol class="messages current" ref={list} aria-label={labels.messages} aria-live="polite" tabIndex={0}>
        {ordered(timeline).map((m) => <MessageBubble key={m.id} message={m} api={store.api} actions={held ? actions : undefined} />)}
      </ol>
      {(awaiting || windowClosed) && (
        <Warning testId="window-alert">
          <p>{awaiting ? labels.awaitingReplyAlert : labels.windowClosedAlert}</p>
          <button type="button" class="primary" onClick={reopen} disabled={offline}>{labels.selectTemplate}</button>
        </Warning>
      )}
      {replyTo && (
        <div class="replying" role="status">
          <span>{labels.replyingTo}: <q>{replyTo.text}</q></span>
          <button type="button" class="link" onClick={() => setReplyTo(null)}>{labels.cancelReply}</button>
        </div>
      )}
      <ChatInput value={text} onInput={typed} onSubmit={send} offline={offline} disabled={disabled}
        placeholder={awaiting ? labels.awaitingReplyInput : labels.typeMessage} />
      {!offline && (
        <div class="attach">
          <label class="visually-hidden" for="chat-caption">{labels.caption}</label>
          <input id="chat-caption" type="text" value={caption} placeholder={labels.caption} disabled={disabled}
            onInput={(e) => setCaption((e.target as HTMLInputElement).value)} />
          {/* A real button (focusable, visible focus, named "Anexar arquivo") opens the file chooser; the file input itself
              stays out of the tab order and the accessibility tree. */}
          <button type="button" data-testid="attach" disabled={disabled} onClick={() => fileInput.current?.click()}>{labels.attach}</button>
          <input id="chat-attach" ref={fileInput} type="file" hidden tabIndex={-1} disabled={disabled}
            accept="image/jpeg,image/png,video/mp4,video/3gpp,audio/aac,audio/amr,audio/mpeg,audio/mp4,audio/ogg,application/pdf,text/plain,.doc,.docx,.xls,.xlsx,.ppt,.pptx"
            onChange={attach} />
        </div>
      )}
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
