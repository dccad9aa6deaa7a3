import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { getHealth, type Account, type Engine } from './api.js';
import { setLanguage } from './i18n.js';
import { ENGINE_LABELS, roleLabel } from './labels.js';

type HealthState = { readonly state: 'loading' } | { readonly state: 'ok'; readonly engine: Engine } | { readonly state: 'down' };

interface Props {
  /** The signed-in account; none on the sign-in screen. */
  readonly account?: Account;
  /** The role's name as the policy gives it (GET /api/v1/navigation); until it arrives, the built-in label. */
  readonly roleName?: { readonly fr: string; readonly en: string } | null;
  readonly onSignOut?: () => void;
  readonly signingOut?: boolean;
}

/**
 * The role's name in the top bar: the policy's, in English, or for a role the built-in
 * French labels do not know (a policy may add roles); the built-in label otherwise.
 */
function roleNameOf(role: string, fromPolicy: { readonly fr: string; readonly en: string } | null, lang: string): string {
  if (fromPolicy !== null && lang === 'en') return fromPolicy.en;
  const builtIn = roleLabel(role);
  return builtIn !== role ? builtIn : (fromPolicy?.fr ?? role);
}

/** The top bar: product name, the database engine from /healthz, and who is signed in. */
export function AppHeader({ account, roleName, onSignOut, signingOut = false }: Props) {
  const { t, i18n } = useTranslation();
  const [health, setHealth] = useState<HealthState>({ state: 'loading' });
  useEffect(() => {
    let live = true;
    getHealth().then(
      (h) => {
        if (live) setHealth({ state: 'ok', engine: h.database });
      },
      () => {
        if (live) setHealth({ state: 'down' });
      },
    );
    return () => {
      live = false;
    };
  }, []);

  return (
    <header className="topbar">
      <div className="brand">
        <span className="logo" aria-hidden="true">
          R
        </span>
        <span className="brand-name">Rempart</span>
        <span className="brand-sub">Backoffice</span>
      </div>
      <div className="topbar-right">
        <button type="button" className="lang-switch" lang={i18n.language === 'en' ? 'fr' : 'en'} aria-label={t('lang.label')} onClick={() => setLanguage(i18n.language === 'en' ? 'fr' : 'en')}>
          {t('lang.switch')}
        </button>
        <div className={`engine engine-${health.state}`} role="status" aria-label="Base de données">
          <span className="dot" aria-hidden="true" />
          {health.state === 'loading' && 'Base : …'}
          {health.state === 'ok' && `Base : ${ENGINE_LABELS[health.engine]}`}
          {health.state === 'down' && 'Base : indisponible'}
        </div>
        {account && (
          <div className="account" role="group" aria-label="Compte connecté">
            <span className="account-who">
              <span className="account-email">{account.email}</span>
              <span className="account-role">{roleNameOf(account.role, roleName ?? null, i18n.language)}</span>
            </span>
            {onSignOut && (
              <button type="button" className="signout" onClick={onSignOut} disabled={signingOut}>
                Se déconnecter
              </button>
            )}
          </div>
        )}
      </div>
    </header>
  );
}
