import type { Message } from "../api";
import { labels } from "../texts";

const ticks: Record<string, string> = { pending: "🕓", unconfirmed: "🕓", accepted: "✓", sent: "✓", delivered: "✓✓", read: "✓✓", played: "✓✓", failed: "⚠" };

/** One message as the API describes it (P7): its display text, its kind, media details, a template's image header, and for the agent's own messages the status ticks (failed with the reason). */
export function MessageBubble({ message }: { message: Message }) {
  const outbound = message.direction === "out";
  const status = labels.status[message.status] ?? message.status;
  const time = new Date(message.at).toLocaleTimeString("pt-BR", { hour: "2-digit", minute: "2-digit" });
  return (
    <li class={`message ${outbound ? "out" : "in"} kind-${message.kind}`} data-message-id={message.id} data-kind={message.kind}>
      {message.headerImage && <img class="header-image" src={message.headerImage} alt={labels.headerImage} width={240} height={120} />}
      {message.kind !== "text" && message.kind !== "template" && <span class="kind-label">{labels.kind[message.kind] ?? message.kind}</span>}
      <p class="message-text">{message.text}</p>
      {message.media?.filename && <span class="media-detail">{message.media.filename}</span>}
      {message.media?.mimeType && <span class="media-detail">{message.media.mimeType}</span>}
      <span class="message-meta">
        <time dateTime={message.at}>{time}</time>
        {outbound && (
          <span class={`ticks status-${message.status}`} data-status={message.status} aria-label={status} title={status}>
            {ticks[message.status] ?? ""} <span class="status-word">{status}</span>
          </span>
        )}
      </span>
      {outbound && message.status === "failed" && (
        <p class="failure" role="note">{message.errorText ?? message.errorDetails ?? labels.status.failed}</p>
      )}
    </li>
  );
}
