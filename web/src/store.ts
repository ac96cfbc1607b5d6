import { useEffect, useState } from "preact/hooks";
import { AgentApi, ApiError, type Channel, type ConversationDetail, type Me, type Qualification, type StartResponse } from "./api";
import { Realtime, type AgentEvent, type ConnectionState } from "./realtime";
import { merge, type Timeline } from "./timeline";

/** What "Nova Conversa" opens with: empty, or channel and customer prefilled (R9 "+Selecionar Template", R10 Histórico "⋮"). */
export interface NewConversationSeed { channelId: string | null; number: string; templateRequired?: boolean }

/** A refusal shown in the Atendimento screen's "Atenção!" box (R12, R13), or a success notice (R16). */
export interface Notice { kind: "attention" | "success"; text: string }

/**
 * The console's state for one signed-in agent: their open conversations (one timeline each), the selected one,
 * the connection, and what the dialogs need. Components subscribe and re-render on change.
 */
export class ConsoleStore {
  readonly api: AgentApi;
  me: Me | null = null;
  channels: Channel[] = [];
  preselectedChannelId: string | null = null;
  qualifications: Qualification[] = [];
  timelines = new Map<string, Timeline>();
  selectedId: string | null = null;
  connection: ConnectionState = "connecting";
  notices: Notice[] = [];
  newConversation: NewConversationSeed | null = null;
  /** R6: the customer's last conversation shown above a conversation started from "Nova Conversa". */
  lastConversations = new Map<string, StartResponse>();
  private realtime: Realtime | null = null;
  private listeners = new Set<() => void>();
  private refreshing = new Map<string, Promise<void>>();
  /** Finished or no longer visible: a late refresh never brings one back (a finished conversation never reopens). */
  private gone = new Set<string>();

  constructor(token: string) {
    this.api = new AgentApi(token);
  }

  async start(): Promise<void> {
    const [me, channels, qualifications] = await Promise.all([this.api.me(), this.api.channels(), this.api.qualifications()]);
    this.me = me;
    this.channels = channels.channels;
    this.preselectedChannelId = channels.preselectedChannelId;
    this.qualifications = qualifications.qualifications;
    await this.loadConversations();
    this.realtime = new Realtime(this.api, {
      onEvent: (e) => this.onEvent(e),
      onState: (s) => { this.connection = s; this.changed(); },
      onConnected: () => { void this.refreshAll(); },
    });
    this.realtime.start();
  }

  stop(): void {
    this.realtime?.close();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  changed(): void {
    for (const listener of this.listeners) listener();
  }

  get online(): boolean {
    return this.connection === "online";
  }

  select(id: string | null): void {
    this.selectedId = id;
    this.changed();
  }

  openNewConversation(seed: NewConversationSeed | null = { channelId: this.preselectedChannelId, number: "" }): void {
    this.newConversation = seed ?? { channelId: this.preselectedChannelId, number: "" };
    this.changed();
  }

  closeNewConversation(): void {
    this.newConversation = null;
    this.changed();
  }

  notify(notice: Notice): void {
    this.notices = [...this.notices.filter((n) => n.text !== notice.text), notice];
    this.changed();
  }

  dismiss(notice: Notice): void {
    this.notices = this.notices.filter((n) => n !== notice);
    this.changed();
  }

  /** A started (or returned) conversation: opened in the chat at once (R6/R7). */
  opened(response: StartResponse): void {
    this.apply({ conversation: response.conversation, messages: response.messages, windowOpen: response.windowOpen, windowClosesAt: response.windowClosesAt, afterVersion: 0 });
    if (response.lastConversation) this.lastConversations.set(response.conversation.id, response);
    this.selectedId = response.conversation.id;
    this.newConversation = null;
    this.changed();
  }

  /** R12/R13 refusals go to the "Atenção!" box; other API errors too, with their pt-BR detail. */
  refused(error: unknown): void {
    const text = error instanceof ApiError ? error.message : String(error);
    this.notify({ kind: "attention", text });
  }

  async loadConversations(): Promise<void> {
    const { conversations } = await this.api.conversations();
    for (const conversation of conversations) {
      if (!this.timelines.has(conversation.id) && !this.gone.has(conversation.id)) await this.refresh(conversation.id);
    }
    if (!this.selectedId && conversations.length > 0) this.selectedId = conversations[0].id;
    this.changed();
  }

  /** R19: everything after the last version seen, for every open conversation; and any conversation assigned meanwhile. */
  async refreshAll(): Promise<void> {
    await Promise.all([...this.timelines.keys()].map((id) => this.refresh(id)));
    await this.loadConversations().catch(() => undefined);
  }

  /** Fetches the changes after the version held; one fetch at a time per conversation, so nothing is merged out of order. */
  refresh(id: string): Promise<void> {
    const previous = this.refreshing.get(id) ?? Promise.resolve();
    const next = previous.then(async () => {
      const held = this.timelines.get(id);
      try {
        this.apply(await this.api.conversation(id, held?.version ?? 0));
      } catch (error) {
        if (error instanceof ApiError && (error.status === 404 || error.status === 403)) this.forget(id, false);
      }
    });
    this.refreshing.set(id, next);
    return next;
  }

  apply(detail: ConversationDetail): void {
    const id = detail.conversation.id;
    if (this.gone.has(id)) return;
    const timeline = merge(this.timelines.get(id), detail);
    if (timeline.conversation.stage === "closed") {
      this.forget(id);
      return;
    }
    if (this.me?.role !== "supervisor" && timeline.conversation.agentId !== this.me?.agentId) {
      this.forget(id, false); // no longer this agent's; an assignment event brings it back
      return;
    }
    this.timelines.set(id, timeline);
    this.changed();
  }

  /** Drops a conversation from the screen; `finished` ones never come back (a finished conversation never reopens). */
  forget(id: string, finished = true): void {
    if (finished) this.gone.add(id);
    this.timelines.delete(id);
    this.lastConversations.delete(id);
    if (this.selectedId === id) this.selectedId = [...this.timelines.keys()][0] ?? null;
    this.changed();
  }

  private onEvent(event: AgentEvent): void {
    if (!event.conversationId) return;
    const held = this.timelines.get(event.conversationId);
    if (held && event.version <= held.version) return; // already seen
    void this.refresh(event.conversationId);
  }
}

/** Re-renders the calling component when the store changes. */
export function useStore(store: ConsoleStore): ConsoleStore {
  const [, setTick] = useState(0);
  useEffect(() => store.subscribe(() => setTick((t) => t + 1)), [store]);
  return store;
}
