import { useEffect, useState, type ReactNode } from 'react';
import { ApiError, getRecord, type Person } from './api.js';
import { formatDateTime, orDash, personName } from './format.js';
import { PHONE_TYPE_LABELS, purposeLabel, RELATION_LABELS } from './labels.js';
import { OrganisationName } from './organisation-name.js';

interface Props {
  readonly id: string;
  readonly onClose: () => void;
}

type Load = { readonly state: 'loading' } | { readonly state: 'ok'; readonly person: Person } | { readonly state: 'error'; readonly error: ApiError };

function Row({ label, children }: { readonly label: string; readonly children: ReactNode }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </>
  );
}

/** The side panel of one person, read by id. */
export function PersonDetail({ id, onClose }: Props) {
  const [load, setLoad] = useState<Load>({ state: 'loading' });

  useEffect(() => {
    let live = true;
    setLoad({ state: 'loading' });
    getRecord('people', id).then(
      (person) => {
        if (live) setLoad({ state: 'ok', person });
      },
      (e: unknown) => {
        if (live) setLoad({ state: 'error', error: e instanceof ApiError ? e : new ApiError(0, 'CLIENT', 'Erreur inattendue.', [], { cause: e }) });
      },
    );
    return () => {
      live = false;
    };
  }, [id]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  return (
    <aside className="panel" aria-label="Fiche personne">
      <header className="panel-header">
        <h2>{load.state === 'ok' ? personName(load.person) : 'Fiche personne'}</h2>
        <button type="button" className="icon" onClick={onClose} aria-label="Fermer la fiche">
          ×
        </button>
      </header>
      {load.state === 'loading' && <p className="muted pad">Chargement…</p>}
      {load.state === 'error' && (
        <p className="alert error" role="alert">
          {load.error.code === 'NOT_FOUND' ? 'Cette personne n’existe pas ou plus.' : load.error.message}
        </p>
      )}
      {load.state === 'ok' && <PersonFields person={load.person} />}
    </aside>
  );
}

function PersonFields({ person: p }: { readonly person: Person }) {
  return (
    <div className="panel-body">
      <p className="panel-sub">
        {orDash(p.jobTitle)} · <OrganisationName id={p.organisationId} />
      </p>
      <h3>Identité</h3>
      <dl>
        <Row label="Nom">{orDash(p.lastName)}</Row>
        <Row label="Prénom">{orDash(p.firstName)}</Row>
        <Row label="Fonction">{orDash(p.jobTitle)}</Row>
        <Row label="Organisation">
          <OrganisationName id={p.organisationId} />
        </Row>
      </dl>
      <h3>Coordonnées</h3>
      <dl>
        <Row label="E-mail">{p.email ? <a href={`mailto:${p.email}`}>{p.email}</a> : '—'}</Row>
        <Row label="Téléphones">
          {p.phones.length === 0
            ? '—'
            : p.phones.map((ph) => (
                <div key={ph.number}>
                  <a href={`tel:${ph.number}`} className="mono">
                    {ph.number}
                  </a>
                  {ph.type && <span className="muted"> ({PHONE_TYPE_LABELS[ph.type]})</span>}
                </div>
              ))}
        </Row>
        <Row label="Adresses">
          {p.postalAddresses.length === 0
            ? '—'
            : p.postalAddresses.map((a, i) => (
                <address key={i}>
                  {a.line1}
                  {a.line2 && (
                    <>
                      <br />
                      {a.line2}
                    </>
                  )}
                  <br />
                  {a.postcode} {a.city} {a.country !== 'FR' && `(${a.country})`}
                </address>
              ))}
        </Row>
      </dl>
      <h3>Traitement</h3>
      <dl>
        <Row label="Relation">{RELATION_LABELS[p.relation]}</Row>
        <Row label="Finalité">{purposeLabel(p.purpose)}</Row>
        <Row label="Source">{p.source}</Row>
        <Row label="Collectée le">{formatDateTime(p.collectedAt)}</Row>
        <Row label="Dernier contact">{formatDateTime(p.lastContactAt)}</Row>
        <Row label="Créée le">{formatDateTime(p.createdAt)}</Row>
        <Row label="Modifiée le">{formatDateTime(p.updatedAt)}</Row>
      </dl>
      <p className="panel-id mono" title="Identifiant">
        {p.id}
      </p>
    </div>
  );
}
