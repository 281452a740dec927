import { useState } from "preact/hooks";

interface Props {
  onSignIn: (token: string) => Promise<string | null>;
  message: string | null;
}

/** Asks for a token; it is kept in this tab's sessionStorage only and sent to this server only. */
export function SignIn(props: Props) {
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | null>(props.message);
  const [busy, setBusy] = useState(false);
  return (
    <main id="main" class="sign-in">
      <form
        class="card"
        aria-labelledby="sign-in-h"
        onSubmit={async (e) => {
          e.preventDefault();
          if (!token.trim()) return;
          setBusy(true);
          setError(await props.onSignIn(token.trim()));
          setBusy(false);
        }}
      >
        <h1 id="sign-in-h">Sign in</h1>
        <p>
          Paste a pilotlog token (<code>npm run demo</code> prints some). You will see exactly what this token
          may read through the API. It is kept for this tab only, in session storage, and sent to this server
          only.
        </p>
        <label for="token">Token</label>
        <input
          id="token"
          name="token"
          type="password"
          autocomplete="off"
          spellcheck={false}
          required
          value={token}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? "sign-in-error" : undefined}
          onInput={(e) => setToken(e.currentTarget.value)}
        />
        {error && (
          <p id="sign-in-error" class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
