import { useEffect, useState } from "preact/hooks";
import { Api, ApiFailure } from "./api.js";
import { Dashboard } from "./Dashboard.js";
import { FocusTip } from "./FocusTip.js";
import { SignIn } from "./SignIn.js";
import { storedToken, storeToken } from "./session.js";

interface Session {
  api: Api;
  login: string;
  orgs: string[];
}

/** Checks a token with GET /user and lists its organizations (GET /user/orgs); an error message otherwise. */
async function open(token: string): Promise<Session | string> {
  const api = new Api(token);
  try {
    const [user, orgs] = await Promise.all([
      api.get<{ login: string }>("/user"),
      // Listing organizations may be refused (an app token, say); the enterprise slug can still be typed.
      api.all<{ login: string }>("/user/orgs?per_page=100").catch(() => []),
    ]);
    return { api, login: user.login, orgs: orgs.map((o) => o.login) };
  } catch (e) {
    if (e instanceof ApiFailure)
      return e.status === 401
        ? `The token was refused (401 ${e.message}): it is unknown, expired or revoked.`
        : `The server refused this token (${e.status}): ${e.message}`;
    return `The server could not be reached: ${String(e)}`;
  }
}

export function App() {
  const [session, setSession] = useState<Session | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [checking, setChecking] = useState(() => storedToken() !== null);

  useEffect(() => {
    const token = storedToken();
    if (!token) return;
    void open(token).then((s) => {
      if (typeof s === "string") {
        storeToken(null);
        setMessage(s);
      } else setSession(s);
      setChecking(false);
    });
  }, []);

  const signIn = async (token: string) => {
    const s = await open(token);
    if (typeof s === "string") return s;
    storeToken(token);
    setSession(s);
    return null;
  };
  const signOut = () => {
    storeToken(null);
    setSession(null);
    setMessage(null);
  };

  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">
          pilotlog <span class="muted">Copilot metrics</span>
        </span>
        {session && (
          <span class="who">
            <span>
              Signed in as <strong data-login>{session.login}</strong>
            </span>
            <button type="button" onClick={signOut}>
              Sign out
            </button>
          </span>
        )}
      </header>
      {checking ? (
        <main id="main" class="card muted">
          Checking the token…
        </main>
      ) : session ? (
        <Dashboard key={session.login} api={session.api} orgs={session.orgs} onSignOut={signOut} />
      ) : (
        <SignIn onSignIn={signIn} message={message} />
      )}
      <FocusTip />
    </>
  );
}
