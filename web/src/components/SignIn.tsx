import { useEffect, useState } from "preact/hooks";
import { devAgents, devToken, type DevAgent } from "../api";
import { labels } from "../texts";

/**
 * Local sign-in: a picker of the seeded agents with development tokens. With a real identity provider the console
 * receives its bearer token instead (see main.tsx) and everything after sign-in is the same code.
 */
export function SignIn({ onToken }: { onToken: (token: string) => void }) {
  const [agents, setAgents] = useState<DevAgent[] | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => { devAgents().then((a) => (a ? setAgents(a) : setFailed(true))); }, []);
  return (
    <main class="sign-in">
      <h1>{labels.product} — {labels.attendance}</h1>
      <section aria-labelledby="sign-in-title">
        <h2 id="sign-in-title">{labels.signInAs}</h2>
        {failed && <p role="alert">{labels.signIn}: indisponível.</p>}
        <ul class="agents">
          {agents?.map((a) => (
            <li key={a.agentId}>
              <button type="button" class="primary" data-agent-id={a.agentId} onClick={async () => onToken(await devToken(a.agentId))}>
                {labels.signIn}: {a.name} ({a.role})
              </button>
            </li>
          ))}
        </ul>
      </section>
    </main>
  );
}
