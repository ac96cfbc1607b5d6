import { WebPubSubClient, WebPubSubJsonProtocol } from "@azure/web-pubsub-client";
import type { AgentApi } from "./api";

/** An agent event as the API pushes it: the conversation id and its version after the change (DESIGN: real-time contract). */
export interface AgentEvent { type: string; tenantId: string; conversationId: string | null; version: number; agentId: string | null; data?: unknown }

export type ConnectionState = "connecting" | "online" | "offline";

export interface RealtimeHandlers {
  onEvent(event: AgentEvent): void;
  onState(state: ConnectionState): void;
  /** After every (re)connection: the console refreshes each open conversation from the last version it saw (R19). */
  onConnected(): void;
}

const retryDelaysMs = [500, 1000, 2000, 3000, 5000];

/**
 * The agent's live connection through /api/negotiate and the official Web PubSub client (R18, R19).
 * Agent events arrive as server messages (sent to the agent's user id), supervisor events as group messages: both are handled.
 * The plain JSON subprotocol makes a lost socket visible at once ("disconnected"); this class then reconnects on its own
 * with a short backoff, at once when the tab becomes visible again or the browser is back online, and never gives up.
 */
export class Realtime {
  private client: WebPubSubClient | null = null;
  private state: ConnectionState = "connecting";
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private starting = false;
  private closed = false;

  constructor(private readonly api: AgentApi, private readonly handlers: RealtimeHandlers) {
    document.addEventListener("visibilitychange", this.wake);
    window.addEventListener("online", this.wake);
  }

  start(): void {
    void this.connect();
  }

  close(): void {
    this.closed = true;
    document.removeEventListener("visibilitychange", this.wake);
    window.removeEventListener("online", this.wake);
    if (this.timer) clearTimeout(this.timer);
    this.client?.stop();
  }

  private readonly wake = () => {
    if (document.visibilityState === "visible" && this.state === "offline" && !this.starting) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      void this.connect();
    }
  };

  private setState(state: ConnectionState) {
    if (this.state !== state) {
      this.state = state;
      this.handlers.onState(state);
    }
  }

  private async connect(): Promise<void> {
    if (this.closed || this.starting) return;
    this.starting = true;
    const client = new WebPubSubClient(
      { getClientAccessUrl: async () => (await this.api.negotiate()).url },
      { protocol: WebPubSubJsonProtocol(), autoReconnect: false, autoRejoinGroups: true, keepAliveIntervalInMs: 5000, keepAliveTimeoutInMs: 15000 },
    );
    const onMessage = (e: { message: { data: unknown } }) => {
      const data = e.message.data;
      try {
        this.handlers.onEvent((typeof data === "string" ? JSON.parse(data) : data) as AgentEvent);
      } catch {
        /* not an agent event: ignored */
      }
    };
    client.on("server-message", onMessage);
    client.on("group-message", onMessage);
    client.on("disconnected", () => { if (this.client === client) this.setState("offline"); });
    client.on("stopped", () => { if (this.client === client) { this.client = null; this.setState("offline"); this.schedule(); } });
    this.client = client;
    try {
      await client.start();
      this.attempt = 0;
      this.setState("online");
      this.handlers.onConnected();
    } catch {
      if (this.client === client) this.client = null;
      this.setState("offline");
      this.schedule();
    } finally {
      this.starting = false;
    }
  }

  private schedule() {
    if (this.closed || this.timer) return;
    const delay = retryDelaysMs[Math.min(this.attempt++, retryDelaysMs.length - 1)];
    this.timer = setTimeout(() => { this.timer = null; void this.connect(); }, delay);
  }
}
