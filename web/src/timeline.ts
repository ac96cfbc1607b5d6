import type { Conversation, ConversationDetail, Message } from "./api";

/**
 * One open conversation as the console holds it (R19): the conversation, its messages by id and the highest
 * version seen. Merging a page of changes (GET …?afterVersion=N) or an event replaces each message by id, so
 * a message seen twice is shown once and a status change updates the message in place.
 */
export interface Timeline {
  conversation: Conversation;
  messages: Map<string, Message>;
  version: number;
  windowOpen: boolean;
}

export function timelineFrom(detail: ConversationDetail): Timeline {
  return merge(undefined, detail);
}

export function merge(current: Timeline | undefined, detail: ConversationDetail): Timeline {
  const messages = new Map(current?.messages ?? []);
  let version = current?.version ?? 0;
  for (const message of detail.messages) {
    const held = messages.get(message.id);
    if (!held || held.version <= message.version) messages.set(message.id, message);
    version = Math.max(version, message.version);
  }
  const newer = !current || detail.conversation.version >= current.conversation.version;
  version = Math.max(version, detail.conversation.version);
  return {
    conversation: newer ? detail.conversation : current.conversation,
    messages,
    version,
    windowOpen: newer ? detail.windowOpen : current.windowOpen,
  };
}

/** Messages in conversation order. */
export function ordered(timeline: Timeline): Message[] {
  return [...timeline.messages.values()].sort((a, b) => a.seq - b.seq);
}

/** R11: the customer's name when known, else the WhatsApp number. */
export function customerLabel(conversation: Conversation): string {
  const name = conversation.customerName?.trim();
  const number = conversation.customerNumber ?? "";
  return name && name !== number && name.replace(/\D/g, "") !== number.replace(/\D/g, "") ? name : number;
}
