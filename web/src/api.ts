/** The agent API (/api/agent, /api/negotiate): JSON over HTTP with a bearer token — a development token locally, an identity provider's token in Azure; the code path is the same. */

export interface Conversation {
  id: string;
  channelId: string;
  customerName: string;
  customerNumber: string | null;
  agentId: string | null;
  stage: "bot" | "queued" | "open" | "awaiting_reply" | "closed";
  origin: string;
  version: number;
  templateOnly: boolean;
  awaitingCustomerReply: boolean;
  createdAt: string;
  assignedAt: string | null;
  closedAt: string | null;
  lastMessageAt: string | null;
  qualificationId: string | null;
  qualificationName: string | null;
  description: string | null;
}

export interface Media { id?: string; mimeType?: string; caption?: string; filename?: string; link?: string; voice?: boolean }

/** A message's file: pending (being fetched from WhatsApp), stored (served by `url` with the bearer token), unavailable, removed. */
export interface MediaFile { state: "pending" | "stored" | "unavailable" | "removed"; url: string | null; contentType: string | null; size: number | null; fileName: string | null; error: string | null }

/** The message a reply or reaction quotes. */
export interface ReplyTo { id: string | null; wamid: string; text: string | null }

export interface Message {
  id: string;
  seq: number;
  direction: "in" | "out";
  kind: string;
  text: string;
  body: string | null;
  media: Media | null;
  status: string;
  errorCode: number | null;
  errorText: string | null;
  errorDetails: string | null;
  at: string;
  version: number;
  agentId: string | null;
  templateName: string | null;
  headerImage: string | null;
  forwarded?: boolean;
  wamid?: string | null;
  mediaFile?: MediaFile | null;
  replyTo?: ReplyTo | null;
  agentReaction?: string | null;
  /** A customer message: when the agent's read receipt went to WhatsApp (null: not yet). */
  readAt?: string | null;
}

export interface ConversationDetail {
  conversation: Conversation;
  messages: Message[];
  windowOpen: boolean;
  windowClosesAt: string | null;
  afterVersion: number;
}

export interface StartResponse {
  conversation: Conversation;
  messages: Message[];
  windowOpen: boolean;
  windowClosesAt: string | null;
  lastConversation: Conversation | null;
  lastConversationMessages: Message[];
  existing: boolean;
}

export interface Channel { channelId: string; displayNumber: string; name: string }
export interface Template {
  name: string; language: string; category: string; status: string; parameterFormat: string;
  headerFormat: string; headerExample: string | null; body: string; footer: string | null; variables: string[];
}
export interface TemplatePreview { headerImage: string | null; headerText: string | null; body: string; footer: string | null; text: string; complete: boolean }
/** The API's verdict on "Para": `incomplete` while digits are still missing (no text), `invalid` (show `error`, R3/R4), `valid`. */
export interface NumberCheck {
  state: "incomplete" | "invalid" | "valid"; valid: boolean; complete: boolean; e164: string | null; kind: string | null; error: string | null; canCreate: boolean;
}
export interface Qualification { id: string; name: string }
export interface Me { agentId: string; name: string; role: string; tenantId: string; maxConcurrent: number; open: number }
export interface DevAgent { agentId: string; name: string; role: string }
export interface HistoryItem { conversation: Conversation; messages: Message[] }
export interface TemplateRequest { name: string; language: string; body?: string[] | Record<string, string>; headerImageLink?: string }

/** A refusal or error from the API: `code` is the stable English id, `detail` the pt-BR text to show (problem+json). */
export class ApiError extends Error {
  constructor(public readonly status: number, public readonly code: string, public readonly title: string, detail: string) {
    super(detail);
  }
}

/** Where the API is: the same origin locally; the Function App's origin when the console is a static site (build-time VITE_API_BASE). */
export const apiBase: string = (import.meta.env.VITE_API_BASE as string | undefined) ?? "";

/** Raised on window when the API answers 401. */
export const unauthorizedEvent = "smartspace:unauthorized";

export class AgentApi {
  constructor(private readonly token: string) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(apiBase + path, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 401) {
      // The token expired or was revoked: the console goes back to sign-in (main.tsx listens).
      window.dispatchEvent(new Event(unauthorizedEvent));
    }
    if (!response.ok) {
      const problem = await response.json().catch(() => ({})) as { code?: string; title?: string; detail?: string };
      throw new ApiError(response.status, problem.code ?? String(response.status), problem.title ?? "", problem.detail ?? response.statusText);
    }
    return response.status === 204 ? (undefined as T) : (await response.json()) as T;
  }

  me = () => this.call<Me>("GET", "/api/agent/me");
  channels = () => this.call<{ channels: Channel[]; preselectedChannelId: string | null }>("GET", "/api/agent/channels");
  templates = (channelId: string) => this.call<{ templates: Template[] }>("GET", `/api/agent/channels/${encodeURIComponent(channelId)}/templates`);
  preview = (channelId: string, template: TemplateRequest) =>
    this.call<TemplatePreview>("POST", `/api/agent/channels/${encodeURIComponent(channelId)}/templates/preview`, template);
  checkNumber = (number: string) => this.call<NumberCheck>("POST", "/api/agent/numbers/check", { number });
  qualifications = () => this.call<{ qualifications: Qualification[] }>("GET", "/api/agent/qualifications");
  conversations = () => this.call<{ conversations: Conversation[] }>("GET", "/api/agent/conversations");
  conversation = (id: string, afterVersion = 0) =>
    this.call<ConversationDetail>("GET", `/api/agent/conversations/${encodeURIComponent(id)}?afterVersion=${afterVersion}`);
  start = (channelId: string | null, number: string, template?: TemplateRequest) =>
    this.call<StartResponse>("POST", "/api/agent/conversations", { channelId, number, template });
  sendText = (id: string, text: string, replyTo?: string) =>
    this.call<unknown>("POST", `/api/agent/conversations/${encodeURIComponent(id)}/messages`, replyTo ? { text, replyTo } : { text });
  /** An attachment (multipart): image, document, audio or video, with an optional caption, inside the window. */
  sendAttachment = async (id: string, file: File, caption?: string, replyTo?: string) => {
    const form = new FormData();
    form.append("file", file, file.name);
    if (caption) form.append("caption", caption);
    if (replyTo) form.append("replyTo", replyTo);
    const response = await fetch(apiBase + `/api/agent/conversations/${encodeURIComponent(id)}/attachments`, {
      method: "POST", headers: { authorization: `Bearer ${this.token}` }, body: form,
    });
    if (!response.ok) {
      const problem = await response.json().catch(() => ({})) as { code?: string; title?: string; detail?: string };
      throw new ApiError(response.status, problem.code ?? String(response.status), problem.title ?? "", problem.detail ?? response.statusText);
    }
    return response.json() as Promise<unknown>;
  };
  /** A message's file as a Blob (the media route needs the bearer token, so an <img src> cannot fetch it by itself). */
  mediaBlob = async (url: string) => {
    const response = await fetch(apiBase + url, { headers: { authorization: `Bearer ${this.token}` } });
    if (!response.ok) throw new ApiError(response.status, "media_unavailable", "", response.statusText);
    return response.blob();
  };
  react = (id: string, messageId: string, emoji: string) =>
    this.call<unknown>("POST", `/api/agent/conversations/${encodeURIComponent(id)}/messages/${encodeURIComponent(messageId)}/reaction`, { emoji });
  unreact = (id: string, messageId: string) =>
    this.call<unknown>("DELETE", `/api/agent/conversations/${encodeURIComponent(id)}/messages/${encodeURIComponent(messageId)}/reaction`);
  markRead = (id: string) => this.call<{ marked: number }>("POST", `/api/agent/conversations/${encodeURIComponent(id)}/read`, {});
  typing = (id: string) => this.call<{ sent: boolean }>("POST", `/api/agent/conversations/${encodeURIComponent(id)}/typing`, {});
  finish = (id: string, qualificationId: string | null, description: string | null) =>
    this.call<{ conversation: Conversation; notice: string }>("POST", `/api/agent/conversations/${encodeURIComponent(id)}/finish`, { qualificationId, description });
  history = (query: Record<string, string>) => {
    const params = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== ""));
    return this.call<{ items: HistoryItem[]; continuationToken: string | null }>("GET", `/api/agent/history?${params}`);
  };
  agents = () => this.call<{ agents: DevAgent[] }>("GET", "/api/agent/admin/agents");
  negotiate = () => this.call<{ url: string }>("GET", "/api/negotiate");
}

/** Local sign-in: the seeded agents and a development token for one of them (only where the host offers them). */
export async function devAgents(): Promise<DevAgent[] | null> {
  const response = await fetch(apiBase + "/api/dev/agents").catch(() => null);
  return response?.ok ? ((await response.json()) as { agents: DevAgent[] }).agents : null;
}

export async function devToken(agentId: string): Promise<string> {
  const response = await fetch(apiBase + "/api/dev/token", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ agentId }) });
  if (!response.ok) throw new ApiError(response.status, "dev_token", "", response.statusText);
  return ((await response.json()) as { accessToken: string }).accessToken;
}
