import type { ComponentChildren } from "preact";
import { labels, verbatim } from "../texts";

/** The "Atenção!" alert box of the Atendimento screen (R12, R13), closable. */
export function AttentionBox({ text, onClose }: { text: string; onClose: () => void }) {
  return (
    <div class="alert attention" role="alert" aria-labelledby="attention-title">
      <button type="button" class="close" aria-label={labels.close} onClick={onClose}>×</button>
      <strong id="attention-title" class="alert-title">{verbatim.attention}</strong>
      <p>{text}</p>
    </div>
  );
}

/** An inline warning (24-hour window, waiting for the reply, offline). */
export function Warning({ children, testId }: { children: ComponentChildren; testId?: string }) {
  return <div class="alert warning" role="alert" data-testid={testId}>{children}</div>;
}
