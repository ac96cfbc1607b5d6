import { useEffect, useState } from "preact/hooks";
import type { AgentApi, Message } from "../api";
import { labels } from "../texts";

/**
 * A message's file (issue 16): an image preview, an audio player (voice notes play in the browser), a video player, or a
 * download link. The agent API serves it with the bearer token, so it is fetched and shown from an object URL.
 */
export function MediaPreview({ message, api }: { message: Message; api?: AgentApi }) {
  const file = message.mediaFile;
  const [url, setUrl] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (!api || file?.state !== "stored" || !file.url) return;
    let objectUrl: string | null = null;
    let cancelled = false;
    api.mediaBlob(file.url)
      .then((blob) => { if (!cancelled) { objectUrl = URL.createObjectURL(blob); setUrl(objectUrl); } })
      .catch(() => { if (!cancelled) setFailed(true); });
    return () => { cancelled = true; if (objectUrl) URL.revokeObjectURL(objectUrl); };
  }, [api, file?.state, file?.url]);

  if (!file) return null;
  if (file.state === "pending") return <span class="media-state" data-media-state="pending">{labels.mediaPending}</span>;
  if (file.state !== "stored" || failed) return <span class="media-state" data-media-state="unavailable" role="note">{labels.mediaUnavailable}</span>;
  if (!url) return <span class="media-state" data-media-state="loading">{labels.mediaPending}</span>;
  const type = file.contentType ?? "";
  const name = file.fileName ?? "arquivo";
  if (type.startsWith("image/")) return <img class="media-image" src={url} alt={message.text} data-media-state="stored" />;
  if (type.startsWith("audio/")) return <audio class="media-audio" src={url} controls preload="metadata" aria-label={message.text} data-media-state="stored" />;
  if (type.startsWith("video/")) return <video class="media-video" src={url} controls preload="metadata" aria-label={message.text} data-media-state="stored" />;
  return <a class="media-download" href={url} download={name} data-media-state="stored">{labels.mediaDownload}: {name}</a>;
}
