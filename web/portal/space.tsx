import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useRouterState } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import { useForm } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { api, ApiError, type ErasurePreview, type Lang, type Row, type Space } from './api.js';
import { errorText } from './errors.js';
import { codeLabel, fieldLabel, formatDay, formatInstant, formatValue, isInternal, tableLabel } from './format.js';
import { langSearch, useLang } from './hooks.js';
import { clearPending } from './pending.js';

const SECTIONS = ['access', 'rectification', 'consents', 'objection', 'restriction', 'erasure', 'requests'] as const;
type Section = (typeof SECTIONS)[number];
const SECTION_TITLE: Readonly<Record<Section, string>> = {
  access: 'space.data',
  rectification: 'space.correct',
  consents: 'space.consents',
  objection: 'space.prospecting',
  restriction: 'space.restrict',
  erasure: 'space.erase',
  requests: 'space.requests',
};

/** Every change to the space is followed by a fresh read: what the page shows is what the engine holds. */
function useAction<T>(fn: (input: T) => Promise<unknown>) {
  const client = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: () => client.invalidateQueries({ queryKey: ['space'] }) });
}

/** The person's space (issue 15), once their code opened a session. */
export function SpacePage() {
  const { t } = useTranslation();
  const lang = useLang();
  const navigate = useNavigate();
  const hash = useRouterState({ select: (s) => s.location.hash });
  const space = useQuery({ queryKey: ['space', lang], queryFn: () => api<Space>('GET', `/api/v1/portal/me${lang === 'en' ? '?lang=en' : ''}`) });
  const client = useQueryClient();
  const signOut = useMutation({
    mutationFn: () => api<void>('DELETE', '/api/v1/portal/session'),
    onSettled: () => {
      clearPending();
      client.removeQueries({ queryKey: ['space'] });
      void navigate({ to: '/portal', search: langSearch(lang) });
    },
  });
  // The section the person chose on the home (or in the menu) comes into view once loaded.
  useEffect(() => {
    const id = hash === 'portability' ? 'access' : hash;
    if (space.data && id) document.getElementById(id)?.scrollIntoView();
  }, [space.data, hash]);

  if (space.isPending) return <p role="status">{t('loading')}</p>;
  if (space.isError) {
    const ended = space.error instanceof ApiError && space.error.status === 401;
    return (
      <section className="card">
        <h1>{t('space.title')}</h1>
        <p className="notice-box" role="alert">{ended ? t('errors.sessionEnded') : errorText(t, space.error)}</p>
        <p><Link to="/portal" search={langSearch(lang)} className="btn">{t('code.again')}</Link></p>
      </section>
    );
  }
  const s = space.data;
  const people = (s.export?.data.people ?? []) as readonly Row[];
  return (
    <>
      <div className="space-head">
        <div>
          <h1>{t('space.title')}</h1>
          <p className="muted">{t('space.signedAs', { email: s.email })} {t('space.expires', { time: formatInstant(s.expiresAt, lang) })}</p>
        </div>
        <button type="button" className="btn btn-secondary" onClick={() => signOut.mutate()}>{t('space.signOut')}</button>
      </div>
      {s.found && (
        <nav className="space-nav" aria-label={t('space.nav')}>
          <ul>
            {SECTIONS.map((id) => (
              <li key={id}><a href={`#${id}`}>{t(SECTION_TITLE[id])}</a></li>
            ))}
          </ul>
        </nav>
      )}
      {!s.found && <p className="notice-box">{t('space.nothing')}</p>}
      {s.found && s.export && (
        <>
          <DataSection space={s} lang={lang} />
          <RectifySection people={people} restricted={s.restricted} />
          <ConsentsSection space={s} lang={lang} />
          <ObjectionSection space={s} />
          <RestrictionSection restricted={s.restricted} />
          <ErasureSection lang={lang} />
        </>
      )}
      <RequestsSection space={s} lang={lang} />
    </>
  );
}

function DataSection({ space, lang }: { readonly space: Space; readonly lang: Lang }) {
  const { t } = useTranslation();
  const exp = space.export!;
  const tables = Object.entries(exp.data).filter(([, rows]) => rows.length > 0);
  return (
    <section id="access" className="card" aria-labelledby="access-title">
      <h2 id="access-title">{t('space.data')}</h2>
      <p>{t('space.dataIntro')}</p>
      <p className="btn-row">
        <a className="btn" href={`/api/v1/portal/me/copy.zip${lang === 'en' ? '?lang=en' : ''}`} download>{t('space.download')}</a>
        <a className="btn btn-secondary" href={`/api/v1/portal/me/export.zip${lang === 'en' ? '?lang=en' : ''}`} download>{t('space.portability')}</a>
      </p>
      <p className="muted">{t('space.portabilityHint')}</p>
      {tables.map(([table, rows]) => {
        const info = exp.context.tables[table];
        return (
          <details key={table} className="data-table" open={table === 'people'}>
            <summary>
              <span className="data-table-name">{tableLabel(t, table)}</span> <span className="muted">{t('space.rowsCount', { count: rows.length })}</span>
            </summary>
            {rows.map((row, i) => (
              <dl key={typeof row.id === 'string' ? row.id : i} className="record">
                {Object.entries(row)
                  .filter(([field]) => !isInternal(field))
                  .map(([field, value]) => (
                    <div key={field} className="record-field">
                      <dt>
                        {fieldLabel(t, field)}
                        {info?.fields[field]?.category && <span className="category" title={t('space.category')}>{info.fields[field].category.label}</span>}
                      </dt>
                      <dd>{codeLabel(t, field, value) ?? formatValue(value, lang, t)}</dd>
                    </div>
                  ))}
              </dl>
            ))}
          </details>
        );
      })}
      <h3>{t('space.why')}</h3>
      <ul className="purposes">
        {exp.context.purposes.map((p) => (
          <li key={p.id}>
            <h4>{p.name}</h4>
            <p>{p.description}</p>
            <dl className="facts">
              <dt>{t('space.legalBases')}</dt>
              <dd>{p.legalBases.map((b) => b.label).join(' ; ')}</dd>
              <dt>{t('space.recipients')}</dt>
              <dd>{p.recipients.map((r) => r.label).join(', ')}</dd>
              <dt>{t('space.retention')}</dt>
              <dd>{p.retention.summary}</dd>
              <dt>{t('space.locations')}</dt>
              <dd>{p.locations.map((l) => `${l.name} (${l.country})`).join(' ; ')}</dd>
            </dl>
          </li>
        ))}
      </ul>
      <p className="muted">{exp.context.transfers.statement}</p>
    </section>
  );
}

interface CorrectionForm {
  firstName: string;
  lastName: string;
  jobTitle: string;
  phone: string;
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '');
const firstPhone = (row: Row): { number: string; type?: string } | null => {
  const phones = Array.isArray(row.phones) ? (row.phones as readonly Row[]) : [];
  const p = phones[0];
  return p && typeof p.number === 'string' ? { number: p.number, ...(typeof p.type === 'string' ? { type: p.type } : {}) } : null;
};

function RectifySection({ people, restricted }: { readonly people: readonly Row[]; readonly restricted: boolean }) {
  const { t } = useTranslation();
  return (
    <section id="rectification" className="card" aria-labelledby="rectification-title">
      <h2 id="rectification-title">{t('space.correct')}</h2>
      <p>{t('space.correctIntro')}</p>
      {restricted && <p className="notice-box">{t('errors.restricted')}</p>}
      {people.map((row) => (
        <CorrectionFormFor key={String(row.id)} row={row} />
      ))}
    </section>
  );
}

function CorrectionFormFor({ row }: { readonly row: Row }) {
  const { t } = useTranslation();
  const lang = useLang();
  const phone = firstPhone(row);
  const { register, handleSubmit, formState } = useForm<CorrectionForm>({
    defaultValues: { firstName: text(row.first_name), lastName: text(row.last_name), jobTitle: text(row.job_title), phone: phone?.number ?? '' },
  });
  const save = useAction((f: CorrectionForm) => {
    const phones = Array.isArray(row.phones) ? (row.phones as readonly Row[]).slice(1) : [];
    const patch: Record<string, unknown> = { firstName: f.firstName, lastName: f.lastName, jobTitle: f.jobTitle };
    // The first number is the one shown; the others are kept as they are.
    patch.phones = f.phone.trim() === '' ? phones : [{ number: f.phone.trim(), ...(phone?.type ? { type: phone.type } : {}) }, ...phones];
    return api('POST', '/api/v1/portal/me/rectify', { personId: String(row.id), patch, language: lang });
  });
  const server = save.isError ? errorText(t, save.error) : null;
  const serverOnPhone = save.isError && save.error instanceof ApiError && save.error.details.some((d) => d.field.startsWith('phones'));
  const id = String(row.id).slice(0, 8);
  const field = (name: keyof CorrectionForm, label: string, type = 'text') => {
    const error = formState.errors[name] ? t('errors.required') : name === 'phone' && serverOnPhone ? server : null;
    return (
      <div className="field">
        <label htmlFor={`${name}-${id}`}>{label}</label>
        <input
          id={`${name}-${id}`}
          type={type}
          aria-invalid={error !== null}
          aria-describedby={error !== null ? `${name}-${id}-error` : undefined}
          {...register(name, { required: name === 'firstName' || name === 'lastName' })}
        />
        {error !== null && <p id={`${name}-${id}-error`} className="field-error" role="alert">{error}</p>}
      </div>
    );
  };
  return (
    <form className="correction" noValidate onSubmit={(e) => void handleSubmit((f) => save.mutate(f))(e)}>
      <div className="grid-2">
        {field('firstName', t('space.firstName'))}
        {field('lastName', t('space.lastName'))}
        {field('jobTitle', t('space.jobTitle'))}
        {field('phone', t('space.phone'), 'tel')}
      </div>
      <button type="submit" className="btn" disabled={save.isPending}>{t('space.save')}</button>
      {save.isSuccess && <p role="status" className="success">{t('space.saved')}</p>}
      {server !== null && !serverOnPhone && <p role="alert" className="field-error">{server}</p>}
    </form>
  );
}

function ConsentsSection({ space, lang }: { readonly space: Space; readonly lang: Lang }) {
  const { t } = useTranslation();
  const change = useAction((c: { scope: string; partnerId: string | null; state: 'given' | 'withdrawn' }) => api('POST', '/api/v1/portal/me/consents', { ...c, language: lang }));
  return (
    <section id="consents" className="card" aria-labelledby="consents-title">
      <h2 id="consents-title">{t('space.consents')}</h2>
      <p>{t('space.consentsIntro')}</p>
      <ul className="consents">
        {space.consents.map((c) => {
          const name = t(`scopes.${c.scope}`, { recipient: c.recipient });
          const at = c.at ? formatInstant(c.at, lang) : '';
          const status = c.state === 'given' ? t('space.consentGiven', { date: at }) : c.state === 'withdrawn' ? t('space.consentWithdrawn', { date: at }) : c.state === 'refused' ? t('space.consentRefused', { date: at }) : t('space.consentNone');
          const given = c.state === 'given';
          return (
            <li key={`${c.scope}:${c.partnerId ?? ''}`} className={given ? 'consent given' : 'consent'}>
              <div>
                <h3>{name}</h3>
                <p className="muted">{c.text}</p>
                <p className="consent-state">{status}</p>
              </div>
              <button
                type="button"
                className={given ? 'btn btn-secondary' : 'btn'}
                aria-label={`${given ? t('space.withdraw') : t('space.give')} : ${name}`}
                disabled={change.isPending}
                onClick={() => change.mutate({ scope: c.scope, partnerId: c.partnerId, state: given ? 'withdrawn' : 'given' })}
              >
                {given ? t('space.withdraw') : t('space.give')}
              </button>
            </li>
          );
        })}
      </ul>
      {change.isError && <p role="alert" className="field-error">{errorText(t, change.error)}</p>}
    </section>
  );
}

function ObjectionSection({ space }: { readonly space: Space }) {
  const { t } = useTranslation();
  const lang = useLang();
  const object = useAction((channel: string) => api('POST', '/api/v1/portal/me/objection', { channel, language: lang }));
  const channels = ['email', 'phone', 'post'] as const;
  const all = channels.every((c) => space.opposedChannels.includes(c));
  return (
    <section id="objection" className="card" aria-labelledby="objection-title">
      <h2 id="objection-title">{t('space.prospecting')}</h2>
      <p>{t('space.prospectingIntro')}</p>
      <ul className="channels">
        {channels.map((c) => (
          <li key={c}>
            {space.opposedChannels.includes(c) ? (
              <p className="success">✓ {t('space.opposed', { channel: t(`channels.${c}`) })}</p>
            ) : (
              <button type="button" className="btn btn-secondary" disabled={object.isPending} onClick={() => object.mutate(c)}>
                {t('space.objectOn', { channel: t(`channels.${c}`) })}
              </button>
            )}
          </li>
        ))}
      </ul>
      {!all && (
        <button type="button" className="btn" disabled={object.isPending} onClick={() => object.mutate('all')}>
          {t('space.objectAll')}
        </button>
      )}
      {object.isSuccess && <p role="status" className="success">{t('space.objected')}</p>}
      {object.isError && <p role="alert" className="field-error">{errorText(t, object.error)}</p>}
    </section>
  );
}

function RestrictionSection({ restricted }: { readonly restricted: boolean }) {
  const { t } = useTranslation();
  const lang = useLang();
  const [reason, setReason] = useState('');
  const restrict = useAction(() => api('POST', '/api/v1/portal/me/restriction', { reason, language: lang }));
  return (
    <section id="restriction" className="card" aria-labelledby="restriction-title">
      <h2 id="restriction-title">{t('space.restrict')}</h2>
      <p>{t('space.restrictIntro')}</p>
      {restricted ? (
        <p className="success" role="status">✓ {t('space.restrictedNow')}</p>
      ) : (
        <>
          <div className="field">
            <label htmlFor="restrict-reason">{t('space.restrictReason')}</label>
            <textarea id="restrict-reason" rows={2} maxLength={2000} value={reason} onChange={(e) => setReason(e.target.value)} />
          </div>
          <button type="button" className="btn" disabled={restrict.isPending} onClick={() => restrict.mutate(undefined)}>{t('space.restrictButton')}</button>
        </>
      )}
      {restrict.isError && <p role="alert" className="field-error">{errorText(t, restrict.error)}</p>}
    </section>
  );
}

function ErasureSection({ lang }: { readonly lang: Lang }) {
  const { t } = useTranslation();
  const [asked, setAsked] = useState(false);
  const preview = useQuery({ queryKey: ['space', 'erasure', lang], queryFn: () => api<ErasurePreview>('GET', `/api/v1/portal/me/erasure${lang === 'en' ? '?lang=en' : ''}`), enabled: asked });
  const erase = useAction(() => api<{ id: string; dueAt: string }>('POST', '/api/v1/portal/me/erasure', { language: lang }));
  const sent = erase.data as { dueAt: string } | undefined;
  return (
    <section id="erasure" className="card" aria-labelledby="erasure-title">
      <h2 id="erasure-title">{t('space.erase')}</h2>
      <p>{t('space.eraseIntro')}</p>
      {!asked && <button type="button" className="btn btn-secondary" onClick={() => setAsked(true)}>{t('space.erasePreview')}</button>}
      {preview.data && !sent && (
        <div className="erasure-preview">
          <h3>{t('space.eraseWillGo')}</h3>
          <ul>{preview.data.erased.map((e) => <li key={e.table}>{tableLabel(t, e.table)} ({t('space.rowsCount', { count: e.rows })})</li>)}</ul>
          {preview.data.kept.length > 0 && (
            <>
              <h3>{t('space.eraseKept')}</h3>
              <ul>
                {preview.data.kept.map((k) => (
                  <li key={k.table}>
                    <strong>{tableLabel(t, k.table)}</strong> ({t('space.rowsCount', { count: k.rows })}){k.until ? `, ${t('space.keptUntil', { date: formatDay(k.until, lang) })}` : ''} : {t(`kept.${k.reason}`)} <span className="muted">({k.basis})</span>
                  </li>
                ))}
              </ul>
            </>
          )}
          {preview.data.oppositionKept && <p className="muted">{t('kept.opposition')}</p>}
          <button type="button" className="btn btn-danger" disabled={erase.isPending} onClick={() => erase.mutate(undefined)}>{t('space.eraseConfirm')}</button>
        </div>
      )}
      {sent && <p className="success" role="status">✓ {t('space.eraseSent', { date: formatDay(sent.dueAt, lang) })}</p>}
      {(preview.isError || erase.isError) && <p role="alert" className="field-error">{errorText(t, preview.error ?? erase.error)}</p>}
    </section>
  );
}

function RequestsSection({ space, lang }: { readonly space: Space; readonly lang: Lang }) {
  const { t } = useTranslation();
  return (
    <section id="requests" className="card" aria-labelledby="requests-title">
      <h2 id="requests-title">{t('space.requests')}</h2>
      <p>{t('space.requestsIntro')}</p>
      {space.requests.length === 0 ? (
        <p>{t('space.noRequests')}</p>
      ) : (
        <div className="table-scroll" role="region" aria-labelledby="requests-title" tabIndex={0}>
          <table className="requests">
            <thead>
              <tr>
                <th scope="col">{t('space.colType')}</th>
                <th scope="col">{t('space.colReceived')}</th>
                <th scope="col">{t('space.colState')}</th>
                <th scope="col">{t('space.colDue')}</th>
              </tr>
            </thead>
            <tbody>
              {space.requests.map((r) => (
                <tr key={r.id}>
                  <td>{t(`requestTypes.${r.type}`)}</td>
                  <td>{formatInstant(r.receivedAt, lang)}</td>
                  <td><span className={`state state-${r.state}`}>{t(`requestStates.${r.state}`)}</span></td>
                  <td>{formatDay(r.effectiveDueAt, lang)}{r.extendedDueAt ? ` (${t('space.extended')})` : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {space.requests
        .filter((r) => r.doubtReason !== null)
        .map((r) => (
          <IdDocumentForm key={r.id} request={r} />
        ))}
    </section>
  );
}

const MAX_ID_BYTES = 10 * 1024 * 1024;

/** Reads a file as base64 (the body the server takes). */
function base64Of(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error ?? new Error('read'));
    reader.readAsDataURL(file);
  });
}

/** Where the dpo has a real doubt on who asked (Art. 12(6)): what is needed, and the upload. */
function IdDocumentForm({ request }: { readonly request: Space['requests'][number] }) {
  const { t } = useTranslation();
  const [file, setFile] = useState<File | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const send = useAction(async (f: File) => api('PUT', `/api/v1/portal/me/requests/${request.id}/id-document`, { contentBase64: await base64Of(f) }));
  const inputId = `id-doc-${request.id.slice(0, 8)}`;
  const error = problem ?? (send.isError ? errorText(t, send.error) : null);
  return (
    <form
      className="notice-box id-document"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (file === null) return setProblem(t('idDoc.required'));
        if (file.size > MAX_ID_BYTES || !/^(application\/pdf|image\/(jpeg|png))$/.test(file.type)) return setProblem(t('idDoc.wrongFile'));
        setProblem(null);
        send.mutate(file);
      }}
    >
      <h3>{t('idDoc.title', { type: t(`requestTypes.${request.type}`) })}</h3>
      <p>{t('idDoc.why')}</p>
      <blockquote>{request.doubtReason}</blockquote>
      {request.hasIdDocument || send.isSuccess ? (
        <p className="success" role="status">✓ {t('idDoc.received')}</p>
      ) : (
        <>
          <div className="field">
            <label htmlFor={inputId}>{t('idDoc.label')}</label>
            <input
              id={inputId}
              type="file"
              accept="application/pdf,image/jpeg,image/png"
              aria-invalid={error !== null}
              aria-describedby={error !== null ? `${inputId}-error` : undefined}
              onChange={(e) => setFile(e.target.files?.[0] ?? null)}
            />
            {error !== null && <p id={`${inputId}-error`} className="field-error" role="alert">{error}</p>}
          </div>
          <button type="submit" className="btn" disabled={send.isPending}>{t('idDoc.send')}</button>
        </>
      )}
    </form>
  );
}
