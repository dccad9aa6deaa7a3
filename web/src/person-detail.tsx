import { useEffect, useState, type ReactNode } from 'react';
import { asApiError, getRecord, type ApiError, type Person } from './api.js';
import { formatDateTime, orDash, personName } from './format.js';
import { PHONE_TYPE_LABELS, purposeLabel, RELATION_LABELS } from './labels.js';
import { useMay } from './actions.js';
import { OrganisationName } from './organisation-name.js';
import { href } from './router.js';

interface Props {
  readonly id: string;
  readonly onClose: () => void;
}

type Load = { readonly state: 'loading' } | { readonly state: 'ok'; readonly person: Person } | { readonly state: 'error'; readonly error: ApiError };

/** A line of the panel; none when the role may not see the field (the server left it out). */
function Row({ label, shown = true, children }: { readonly label: string; readonly shown?: boolean; readonly children: ReactNode }) {
  if (!shown) return null;
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
        if (live) setLoad({ state: 'error', error: asApiError(e) });
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
          {errorMessage(load.error)}
        </p>
      )}
      {load.state === 'ok' && <PersonFields person={load.person} />}
    </aside>
  );
}

function errorMessage(error: ApiError): string {
  if (error.code === 'NOT_FOUND') return 'Cette personne n’existe pas ou plus.';
  if (error.forbidden) return 'Votre rôle ne permet pas de consulter cette fiche.';
  return error.message;
}

function PersonFields({ person: p }: { readonly person: Person }) {
  const has = (field: keyof Person): boolean => Object.hasOwn(p, field);
  // The person's consents are a page of their own, for the roles that may open it.
  const consents = useMay('page:consents');
  const any = (...fields: (keyof Person)[]): boolean => fields.some(has);
  const phones = p.phones ?? [];
  const addresses = p.postalAddresses ?? [];
  return (
    <div className="panel-body">
      {any('jobTitle', 'organisationId') && (
        <p className="panel-sub">
          {has('jobTitle') && orDash(p.jobTitle)}
          {has('jobTitle') && has('organisationId') && ' · '}
          {has('organisationId') && <OrganisationName id={p.organisationId ?? null} />}
        </p>
      )}
      {any('lastName', 'firstName', 'jobTitle', 'organisationId') && (
        <>
          <h3>Identité</h3>
          <dl>
            <Row label="Nom" shown={has('lastName')}>
              {orDash(p.lastName)}
            </Row>
            <Row label="Prénom" shown={has('firstName')}>
              {orDash(p.firstName)}
            </Row>
            <Row label="Fonction" shown={has('jobTitle')}>
              {orDash(p.jobTitle)}
            </Row>
            <Row label="Organisation" shown={has('organisationId')}>
              <OrganisationName id={p.organisationId ?? null} />
            </Row>
          </dl>
        </>
      )}
      {any('email', 'phones', 'postalAddresses') && (
        <>
          <h3>Coordonnées</h3>
          <dl>
            <Row label="E-mail" shown={has('email')}>
              {p.email ? <a href={`mailto:${p.email}`}>{p.email}</a> : '—'}
            </Row>
            <Row label="Téléphones" shown={has('phones')}>
              {phones.length === 0
                ? '—'
                : phones.map((ph) => (
                    <div key={ph.number}>
                      <a href={`tel:${ph.number}`} className="mono">
                        {ph.number}
                      </a>
                      {ph.type && <span className="muted"> ({PHONE_TYPE_LABELS[ph.type]})</span>}
                    </div>
                  ))}
            </Row>
            <Row label="Adresses" shown={has('postalAddresses')}>
              {addresses.length === 0
                ? '—'
                : addresses.map((a, i) => (
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
        </>
      )}
      <h3>Traitement</h3>
      <dl>
        <Row label="Relation" shown={p.relation !== undefined}>
          {p.relation && RELATION_LABELS[p.relation]}
        </Row>
        <Row label="Finalité">{purposeLabel(p.purpose)}</Row>
        <Row label="Source" shown={has('source')}>
          {orDash(p.source)}
        </Row>
        <Row label="Collectée le" shown={has('collectedAt')}>
          {formatDateTime(p.collectedAt)}
        </Row>
        <Row label="Dernier contact" shown={has('lastContactAt')}>
          {formatDateTime(p.lastContactAt)}
        </Row>
        <Row label="Créée le">{formatDateTime(p.createdAt)}</Row>
        <Row label="Modifiée le">{formatDateTime(p.updatedAt)}</Row>
      </dl>
      {consents && (
        <p>
          <a href={href({ view: 'consents', personId: p.id })}>Consentements de la personne</a>
        </p>
      )}
      <p className="panel-id mono" title="Identifiant">
        {p.id}
      </p>
    </div>
  );
}
