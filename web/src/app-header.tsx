import { useEffect, useState } from 'react';
import { getHealth, type Engine } from './api.js';
import { ENGINE_LABELS } from './labels.js';

type HealthState = { readonly state: 'loading' } | { readonly state: 'ok'; readonly engine: Engine } | { readonly state: 'down' };

/** The top bar: product name and the database engine the server reports on /healthz. */
export function AppHeader() {
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
      <div className={`engine engine-${health.state}`} role="status" aria-label="Base de données">
        <span className="dot" aria-hidden="true" />
        {health.state === 'loading' && 'Base : …'}
        {health.state === 'ok' && `Base : ${ENGINE_LABELS[health.engine]}`}
        {health.state === 'down' && 'Base : indisponible'}
      </div>
    </header>
  );
}
