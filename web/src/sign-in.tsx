import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { asApiError, confirmTotp, enrolTotp, getSession, signIn, verifyTotp, type ApiError, type SessionView, type TotpEnrolment } from './api.js';
import { AppHeader } from './app-header.js';

/** A message above a sign-in form: why the user is there, or what went wrong. */
export interface Notice {
  readonly tone: 'info' | 'error';
  readonly text: string;
}

/** The page around the sign-in steps: the top bar and one centred card. */
export function AuthLayout({ children }: { readonly children: ReactNode }) {
  return (
    <div className="auth-shell">
      <AppHeader />
      <main className="auth-main">
        <div className="card auth-card">{children}</div>
      </main>
    </div>
  );
}

function NoticeBanner({ notice }: { readonly notice: Notice | null }) {
  if (!notice) return null;
  return (
    <p className={`alert ${notice.tone === 'error' ? 'error' : 'info'}`} role={notice.tone === 'error' ? 'alert' : 'status'}>
      {notice.text}
    </p>
  );
}

/** What to say when a sign-in step fails; the server's 401 never tells which part was wrong. */
function failureMessage(error: ApiError, wrong: string): string {
  if (error.status === 401) return wrong;
  if (error.status === 429) {
    const wait = error.retryAfterSeconds;
    return wait === null ? 'Trop de tentatives : patientez une minute avant de réessayer.' : `Trop de tentatives : réessayez dans ${wait} seconde${wait > 1 ? 's' : ''}.`;
  }
  if (error.code === 'NETWORK') return error.message;
  return 'La connexion a échoué. Réessayez dans un instant.';
}

interface SignInProps {
  readonly notice: Notice | null;
  readonly onSession: (session: SessionView) => void;
}

/** First step: e-mail and password. */
export function SignInForm({ notice, onSession }: SignInProps) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const ids = { email: useId(), password: useId() };

  async function submit(e: FormEvent<HTMLFormElement>): Promise<void> {
    e.preventDefault();
    if (busy) return;
    if (email.trim() === '' || password === '') {
      setError('Saisissez votre e-mail et votre mot de passe.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onSession(await signIn(email.trim(), password));
    } catch (err) {
      setError(failureMessage(asApiError(err), 'E-mail ou mot de passe incorrect, ou compte momentanément bloqué.'));
      setPassword('');
      setBusy(false);
    }
  }

  return (
    <form className="auth-form" onSubmit={(e) => void submit(e)} noValidate aria-label="Connexion">
      <h1>Connexion</h1>
      <p className="muted">Accès réservé au personnel habilité.</p>
      {!error && <NoticeBanner notice={notice} />}
      {error && (
        <p className="alert error" role="alert">
          {error}
        </p>
      )}
      <div className="auth-field">
        <label htmlFor={ids.email}>E-mail</label>
        <input id={ids.email} name="email" type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} required autoFocus />
      </div>
      <div className="auth-field">
        <label htmlFor={ids.password}>Mot de passe</label>
        <input id={ids.password} name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
      </div>
      <button type="submit" className="primary wide" disabled={busy}>
        {busy ? 'Connexion…' : 'Se connecter'}
      </button>
    </form>
  );
}

interface SecondFactorProps {
  readonly session: SessionView;
  readonly onSession: (session: SessionView) => void;
  /** Gives up this account: signs out and goes back to the first step. */
  readonly onCancel: () => void;
}

/** A code field, shared by verification and enrolment. */
function CodeField({ value, onChange }: { readonly value: string; readonly onChange: (v: string) => void }) {
  const id = useId();
  return (
    <div className="auth-field">
      <label htmlFor={id}>Code de vérification</label>
      <input
        id={id}
        name="code"
        className="code-input"
        autoComplete="one-time-code"
        inputMode="numeric"
        maxLength={64}
        spellCheck={false}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        required
        autoFocus
      />
    </div>
  );
}

/** Second step, for an account with an authenticator app: the code it shows (or a recovery code). */
export function VerifyForm({ session, onSession, onCancel }: SecondFactorProps) {
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(e: FormEvent<HTMLFormElement>): Promise<void> {
    e.preventDefault();
    if (busy) return;
    const typed = code.trim().replace(/^(\d{3})\s+(\d{3})$/, '$1$2');
    if (typed === '') {
      setError('Saisissez le code affiché par votre application.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onSession(await verifyTotp(typed));
    } catch (err) {
      setError(failureMessage(asApiError(err), 'Code incorrect ou déjà utilisé. Attendez le code suivant et réessayez.'));
      setCode('');
      setBusy(false);
    }
  }

  return (
    <form className="auth-form" onSubmit={(e) => void submit(e)} noValidate aria-label="Vérification en deux étapes">
      <h1>Code de vérification</h1>
      <p className="muted">
        Votre rôle exige une double authentification. Saisissez le code à 6 chiffres affiché par votre application d’authentification pour{' '}
        <strong>{session.account.email}</strong>, ou l’un de vos codes de secours.
      </p>
      {error && (
        <p className="alert error" role="alert">
          {error}
        </p>
      )}
      <CodeField value={code} onChange={setCode} />
      <button type="submit" className="primary wide" disabled={busy}>
        {busy ? 'Vérification…' : 'Vérifier'}
      </button>
      <button type="button" className="link auth-cancel" onClick={onCancel}>
        Changer de compte
      </button>
    </form>
  );
}

type Enrol =
  | { readonly step: 'activation' }
  | { readonly step: 'scan'; readonly enrolment: TotpEnrolment; readonly enrolmentCode: string }
  | { readonly step: 'codes'; readonly recoveryCodes: readonly string[] }
  | { readonly step: 'failed'; readonly message: string };

/** The secret in groups of four, as authenticator apps ask to type it. */
function grouped(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, '$1 ');
}

/**
 * Second step, for an account whose role needs MFA and that has no authenticator app
 * yet: the one-time activation code given with the account (the password alone must not
 * give the second factor), then a new secret to add to the app, a first code to confirm
 * it, then the recovery codes, each shown this once.
 */
export function EnrolForm({ session, onSession, onCancel }: SecondFactorProps) {
  const [state, setState] = useState<Enrol>({ step: 'activation' });
  const [activation, setActivation] = useState('');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const activationId = useId();

  async function start(): Promise<void> {
    if (busy) return;
    const typed = activation.trim();
    if (typed === '') {
      setError('Saisissez le code d’activation remis avec votre compte.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      setState({ step: 'scan', enrolment: await enrolTotp(typed), enrolmentCode: typed });
    } catch (e) {
      const err = asApiError(e);
      if (err.status === 409) setState({ step: 'failed', message: 'Une application d’authentification est déjà associée à ce compte : reconnectez-vous.' });
      else setError(err.status === 403 || err.status === 400 ? 'Code d’activation incorrect, expiré ou déjà utilisé. Demandez-en un nouveau à votre administrateur.' : failureMessage(err, 'Votre session a pris fin : reconnectez-vous.'));
    } finally {
      setBusy(false);
    }
  }

  async function confirm(e: FormEvent<HTMLFormElement>): Promise<void> {
    e.preventDefault();
    if (state.step === 'activation') {
      await start();
      return;
    }
    if (busy || state.step !== 'scan') return;
    const typed = code.trim().replace(/\s+/g, '');
    if (!/^\d{6}$/.test(typed)) {
      setError('Saisissez les 6 chiffres affichés par votre application.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const { recoveryCodes } = await confirmTotp(typed, state.enrolmentCode);
      setState({ step: 'codes', recoveryCodes });
    } catch (err) {
      const apiError = asApiError(err);
      setError(apiError.status === 400 ? 'Ce code ne correspond pas. Vérifiez l’heure de votre téléphone et saisissez le code suivant.' : failureMessage(apiError, 'Votre session a pris fin : reconnectez-vous.'));
      setCode('');
    } finally {
      setBusy(false);
    }
  }

  async function finish(): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      const next = await getSession();
      if (next === null) {
        onCancel();
        return;
      }
      onSession(next);
    } catch (err) {
      setError(failureMessage(asApiError(err), 'Votre session a pris fin : reconnectez-vous.'));
      setBusy(false);
    }
  }

  const cancel = (
    <button type="button" className="link auth-cancel" onClick={onCancel}>
      Changer de compte
    </button>
  );

  if (state.step === 'codes') {
    return (
      <section className="auth-form" aria-label="Codes de secours">
        <h1>Codes de secours</h1>
        <p className="alert success" role="status">
          Double authentification activée.
        </p>
        <p className="muted">
          Notez ces dix codes et gardez-les en lieu sûr : chacun remplace une fois le code de l’application si vous la perdez. Ils ne seront plus affichés.
        </p>
        <ol className="recovery-codes mono">
          {state.recoveryCodes.map((c) => (
            <li key={c}>{c}</li>
          ))}
        </ol>
        {error && (
          <p className="alert error" role="alert">
            {error}
          </p>
        )}
        <button type="button" className="primary wide" onClick={() => void finish()} disabled={busy}>
          J’ai noté mes codes, continuer
        </button>
      </section>
    );
  }

  return (
    <form className="auth-form" onSubmit={(e) => void confirm(e)} noValidate aria-label="Activer la double authentification">
      <h1>Double authentification</h1>
      <p className="muted">
        Votre rôle exige une double authentification pour <strong>{session.account.email}</strong>. Ajoutez ce compte à votre application d’authentification avec
        la clé ci-dessous, puis saisissez le code qu’elle affiche. Il faut d’abord le code d’activation remis avec votre compte, à part du mot de passe.
      </p>
      {state.step === 'activation' && (
        <>
          {error && (
            <p className="alert error" role="alert">
              {error}
            </p>
          )}
          <div className="auth-field">
            <label htmlFor={activationId}>Code d’activation</label>
            <input
              id={activationId}
              name="enrolmentCode"
              className="mono"
              autoComplete="off"
              maxLength={64}
              spellCheck={false}
              value={activation}
              onChange={(e) => setActivation(e.target.value)}
              required
              autoFocus
            />
          </div>
          <button type="submit" className="primary wide" disabled={busy}>
            {busy ? 'Vérification…' : 'Continuer'}
          </button>
        </>
      )}
      {state.step === 'failed' && (
        <p className="alert error" role="alert">
          {state.message}
        </p>
      )}
      {state.step === 'scan' && (
        <>
          <div className="secret">
            <span className="secret-label">Clé</span>
            <code className="secret-value" aria-label="Clé de l’application d’authentification">
              {grouped(state.enrolment.secret)}
            </code>
            <a href={state.enrolment.otpauthUri} className="secret-link">
              Ouvrir dans l’application
            </a>
          </div>
          {error && (
            <p className="alert error" role="alert">
              {error}
            </p>
          )}
          <CodeField value={code} onChange={setCode} />
          <button type="submit" className="primary wide" disabled={busy}>
            {busy ? 'Vérification…' : 'Activer'}
          </button>
        </>
      )}
      {cancel}
    </form>
  );
}
