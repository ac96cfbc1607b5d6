import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { unauthorizedEvent } from "./api";
import { App } from "./components/App";
import { SignIn } from "./components/SignIn";
import "./styles.css";

const storageKey = "smartspace.token";

/** A bearer token from an identity provider's redirect (#access_token=…) is used like a development token. */
function initialToken(): string | null {
  const fromProvider = new URLSearchParams(location.hash.slice(1)).get("access_token");
  if (fromProvider) {
    sessionStorage.setItem(storageKey, fromProvider);
    history.replaceState(null, "", location.pathname);
  }
  return sessionStorage.getItem(storageKey);
}

function Root() {
  const [token, setToken] = useState(initialToken);
  useEffect(() => {
    const signOut = () => { sessionStorage.removeItem(storageKey); setToken(null); };
    window.addEventListener(unauthorizedEvent, signOut);
    return () => window.removeEventListener(unauthorizedEvent, signOut);
  }, []);
  if (!token) {
    return <SignIn onToken={(t) => { sessionStorage.setItem(storageKey, t); setToken(t); }} />;
  }
  return <App token={token} onSignOut={() => { sessionStorage.removeItem(storageKey); setToken(null); }} />;
}

render(<Root />, document.getElementById("app")!);
