import type { AgentApi, Message } from "../api";
import { labels } from "../texts";
import { MediaPreview } from "./MediaPreview";

const ticks: Record<string, string> = { pending: "🕓", unconfirmed: "🕓", accepted: "✓", sent: "✓", delivered: "✓✓", read: "✓✓", played: "✓✓", failed: "⚠" };

/** What the agent can do with a customer's message in an open chat: answer it, react to it (issue 16). */
export interface MessageActions { onReply: (message: Message) => void; onReact: (message: Message, emoji: string | null) => void; disabled: boolean }

/** One message as the API describes it (P7): its display text, its kind, media (preview, player or download), the message it quotes, a template's image header, and for the agent's own messages the status ticks (failed with the reason). */
export function MessageBubble({ message, api, actions }: { message: Message; api?: AgentApi; actions?: MessageActions }) {
  const outbound = message.direction === "out";
  const status = labels.status[message.status] ?? message.status;
  const time = new Date(message.at).toLocaleTimeString("pt-BR", { hour: "2-digit", minute: "2-digit" });
  const canAct = actions && !outbound && !!message.wamid && message.kind !== "reaction";
  // "Responder" and "Reagir" repeat on every customer message: each button is described by its message's text.
  const textId = `message-text-${message.id}`;
  return (
    <li class={`message ${outbound ? "out" : "in"} kind-${message.kind}`} data-message-id={message.id} data-kind={message.kind}>
      {message.replyTo && (
        <blockquote class="quoted" aria-label={labels.quoted}>{message.replyTo.text ?? "…"}</blockquote>
      )}
      {message.headerImage && <img class="header-image" src={message.headerImage} alt={labels.headerImage} width={240} height={120} />}
      {message.kind !== "text" && message.kind !== "template" && <span class="kind-label">{labels.kind[message.kind] ?? message.kind}</span>}
      <MediaPreview message={message} api={api} />
      <p class="message-text" id={canAct ? textId : undefined}>{message.text}</p>
      {message.media?.filename && <span class="media-detail">{message.media.filename}</span>}
      {message.media?.mimeType && <span class="media-detail">{message.media.mimeType}</span>}
      {message.agentReaction && (
        <span class="agent-reaction" data-testid="agent-reaction">
          <span class="visually-hidden">{labels.yourReaction}: </span>{message.agentReaction}
        </span>
      )}
      <span class="message-meta">
        <time dateTime={message.at}>{time}</time>
        {outbound && (
          <span class={`ticks status-${message.status}`} data-status={message.status} aria-label={status} title={status}>
            {ticks[message.status] ?? ""} <span class="status-word">{status}</span>
          </span>
        )}
      </span>
      {canAct && (
        <span class="message-actions">
          <button type="button" class="link" disabled={actions.disabled} aria-describedby={textId} onClick={() => actions.onReply(message)}>{labels.reply}</button>
          <button type="button" class="link" disabled={actions.disabled} aria-describedby={textId}
            onClick={() => actions.onReact(message, message.agentReaction ? null : "👍")}>
            {message.agentReaction ? labels.removeReaction : labels.react}
          </button>
        </span>
      )}
      {outbound && message.status === "failed" && (
        <p class="failure" role="note">{message.errorText ?? message.errorDetails ?? labels.status.failed}</p>
      )}
    </li>
  );
}
