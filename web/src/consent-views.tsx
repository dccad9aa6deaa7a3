import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useMay } from './actions.js';
import { apiGet, apiPost, apiPostForFile, ApiError, type Page, type Person } from './api.js';
import { href } from './router.js';
import { saveFile } from './save-file.js';
import { Failure, Loading, useFormat } from './workspace.js';

/*
 * File exchange with group companies and partners (annex art. 1; issue 16 item 4): the
 * partners registry with each partner's transfer ground (GDPR Art. 44–46: inside the
 * EU/EEA, an adequacy decision, standard contractual clauses or binding corporate rules),
 * a partner's file built from the people whose consent is active now, and a person's
 * consent history (file exchange and the controller's own scopes) with a one-step
 * withdrawal (Art. 7(3)). Only ids travel in the address (`#/consents/<personId>`).
 */

interface Partner {
  readonly id: string;
  readonly name: string;
  readonly kind: string;
  readonly country: string;
  readonly safeguard: string | null;
  readonly transferGround: string;
  readonly purposes: readonly string[];
  readonly objectionContact: string | null;
  readonly createdAt: string;
}

interface ConsentEvent {
  readonly id: string;
  readonly partnerId: string | null;
  readonly scope: string;
  readonly state: string;
  readonly eventAt: string;
  readonly channel: string;
  readonly noticeVersion: string;
  readonly evidence?: string | null;
}

interface Built {
  readonly partner: string;
  readonly transferId: string;
  readonly rows: number;
  readonly sha256: string;
  /** Who the file left out, by rule (the `x-rempart-left-out` dictionary: no_consent, restricted, objected, opposition_list). */
  readonly leftOut: ReadonlyMap<string, number>;
}

/** Reads an RFC 8941 dictionary of integers (`a=1, b=2`). */
function countsOf(header: string | null): Map<string, number> {
  const out = new Map<string, number>();
  for (const part of (header ?? '').split(',')) {
    const [k, v] = part.trim().split('=');
    if (k && v !== undefined && /^\d+$/.test(v)) out.set(k, Number(v));
  }
  return out;
}

const usePartners = () => useQuery({ queryKey: ['partners'], queryFn: () => apiGet<{ items: Partner[] }>('/api/v1/partners') });

export function PartnersView() {
  const { t } = useTranslation();
  const f = useFormat();
  const partners = usePartners();
  const mayBuild = useMay('transfers.create');
  const mayRegister = useMay('partners.create');
  const [built, setBuilt] = useState<Built | null>(null);
  const build = useMutation({
    mutationFn: async (p: Partner) => {
      const file = await apiPostForFile('/api/v1/transfers', { partnerId: p.id });
      const name = `transfert-${p.name.replace(/[^A-Za-z0-9]+/g, '-').toLowerCase()}-${new Date().toISOString().slice(0, 10)}.csv`;
      saveFile(file.blob, name);
      return {
        partner: p.name,
        transferId: file.headers.get('x-rempart-transfer-id') ?? '',
        rows: Number(file.headers.get('x-rempart-rows') ?? 0),
        sha256: file.headers.get('x-rempart-sha256') ?? '',
        leftOut: countsOf(file.headers.get('x-rempart-left-out')),
      };
    },
    onSuccess: setBuilt,
  });
  return (
    <section aria-labelledby="partners-title">
      <h1 id="partners-title">{t('partners.title')}</h1>
      <p className="muted">{t('partners.intro')}</p>
      {partners.isPending && <Loading />}
      {partners.isError && <Failure error={partners.error} />}
      {partners.data && partners.data.items.length === 0 && <p>{t('partners.empty')}</p>}
      {partners.data && partners.data.items.length > 0 && (
        <div className="table-wrap" role="region" aria-labelledby="partners-table" tabIndex={0}>
          <table className="plain-table">
            <caption id="partners-table">{t('partners.registry')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('partners.name')}</th>
                <th scope="col">{t('partners.kind')}</th>
                <th scope="col">{t('partners.country')}</th>
                <th scope="col">{t('partners.ground')}</th>
                <th scope="col">{t('partners.since')}</th>
                {mayBuild && <th scope="col">{t('partners.file')}</th>}
              </tr>
            </thead>
            <tbody>
              {partners.data.items.map((p) => (
                <tr key={p.id}>
                  <td>{p.name}</td>
                  <td>{t(`partners.kinds.${p.kind}`, { defaultValue: p.kind })}</td>
                  <td>{p.country}</td>
                  <td>{t(`partners.grounds.${p.transferGround}`, { defaultValue: p.transferGround })}</td>
                  <td>{f.day(p.createdAt)}</td>
                  {mayBuild && (
                    <td>
                      <button type="button" onClick={() => build.mutate(p)} disabled={build.isPending} aria-label={t('partners.buildFor', { name: p.name })}>
                        {t('partners.build')}
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {built && (
        <div className="alert info" role="status">
          {t('partners.built', { count: built.rows, n: f.number(built.rows), partner: built.partner })}
          <dl className="facts">
            <dt>{t('partners.transferId')}</dt>
            <dd className="mono">{built.transferId}</dd>
            <dt>SHA-256</dt>
            <dd className="mono">{built.sha256}</dd>
          </dl>
          {[...built.leftOut.values()].some((n) => n > 0) ? (
            <>
              <p className="small">{t('partners.leftOut')}</p>
              <ul className="plain">
                {[...built.leftOut]
                  .filter(([, n]) => n > 0)
                  .map(([rule, n]) => (
                    <li key={rule}>{t('segments.ruleCount', { rule: t(`partners.rules.${rule}`, { defaultValue: rule }), n: f.number(n) })}</li>
                  ))}
              </ul>
            </>
          ) : (
            <p className="small">{t('partners.noneLeftOut')}</p>
          )}
          <p className="small">{t('partners.builtWhy')}</p>
        </div>
      )}
      {build.isError && <Failure error={build.error} />}
      {mayRegister && <RegisterPartner />}
    </section>
  );
}

function RegisterPartner() {
  const { t } = useTranslation();
  const ids = useId();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState({ name: '', kind: 'partner', country: 'FR', safeguard: '', email: '' });
  const register = useMutation({
    mutationFn: () => apiPost<Partner>('/api/v1/partners', { name: draft.name.trim(), kind: draft.kind, country: draft.country.trim().toUpperCase(), email: draft.email.trim(), ...(draft.safeguard ? { safeguard: draft.safeguard } : {}) }),
    onSuccess: () => {
      setDraft({ name: '', kind: 'partner', country: 'FR', safeguard: '', email: '' });
      void queryClient.invalidateQueries({ queryKey: ['partners'] });
    },
  });
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    register.mutate();
  };
  return (
    <form className="card wide" onSubmit={onSubmit} aria-labelledby={`${ids}-title`}>
      <h2 id={`${ids}-title`}>{t('partners.register')}</h2>
      <div className="form-grid">
        <label htmlFor={`${ids}-name`}>{t('partners.name')}</label>
        <input id={`${ids}-name`} type="text" value={draft.name} onChange={(e) => setDraft((d) => ({ ...d, name: e.target.value }))} required />
        <label htmlFor={`${ids}-kind`}>{t('partners.kind')}</label>
        <select id={`${ids}-kind`} value={draft.kind} onChange={(e) => setDraft((d) => ({ ...d, kind: e.target.value }))}>
          {['partner', 'group_company'].map((k) => (
            <option key={k} value={k}>
              {t(`partners.kinds.${k}`)}
            </option>
          ))}
        </select>
        <label htmlFor={`${ids}-country`}>{t('partners.country')}</label>
        <input id={`${ids}-country`} type="text" value={draft.country} maxLength={2} onChange={(e) => setDraft((d) => ({ ...d, country: e.target.value }))} required aria-describedby={`${ids}-country-help`} />
        <p id={`${ids}-country-help`} className="muted help">
          {t('partners.countryHelp')}
        </p>
        <label htmlFor={`${ids}-email`}>{t('partners.email')}</label>
        <input id={`${ids}-email`} type="email" value={draft.email} onChange={(e) => setDraft((d) => ({ ...d, email: e.target.value }))} required aria-describedby={`${ids}-email-help`} />
        <p id={`${ids}-email-help`} className="muted help">
          {t('partners.emailHelp')}
        </p>
        <label htmlFor={`${ids}-safeguard`}>{t('partners.safeguard')}</label>
        <select id={`${ids}-safeguard`} value={draft.safeguard} onChange={(e) => setDraft((d) => ({ ...d, safeguard: e.target.value }))}>
          <option value="">{t('partners.noSafeguard')}</option>
          {['scc', 'bcr'].map((g) => (
            <option key={g} value={g}>
              {t(`partners.grounds.${g}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="actions">
        <button type="submit" className="primary" disabled={register.isPending || draft.name.trim() === ''}>
          {t('partners.registerButton')}
        </button>
      </div>
      {register.isError && <Failure error={register.error} />}
    </form>
  );
}

/** A person picked by a search of the people list (server-side, the fields the role may see), then their consents. */
export function ConsentsView({ personId }: { readonly personId: string | null }) {
  const { t } = useTranslation();
  const ids = useId();
  const [q, setQ] = useState('');
  const [search, setSearch] = useState('');
  const found = useQuery({
    queryKey: ['consent-people', search],
    queryFn: () => apiGet<Page<Person>>(`/api/v1/people?limit=20&q=${encodeURIComponent(search)}`),
    enabled: search !== '',
  });
  const onSearch = (e: FormEvent) => {
    e.preventDefault();
    setSearch(q.trim());
  };
  return (
    <section aria-labelledby="consents-title">
      <h1 id="consents-title">{t('consents.title')}</h1>
      <p className="muted">{t('consents.intro')}</p>
      <form role="search" className="filters" onSubmit={onSearch} aria-label={t('consents.find')}>
        <label htmlFor={`${ids}-q`}>{t('consents.find')}</label>
        <input id={`${ids}-q`} type="search" value={q} onChange={(e) => setQ(e.target.value)} />
        <button type="submit">{t('consents.search')}</button>
      </form>
      {found.isError && <Failure error={found.error} />}
      {found.data && found.data.items.length === 0 && <p>{t('consents.noneFound')}</p>}
      {found.data && found.data.items.length > 0 && (
        <ul className="plain people-found">
          {found.data.items.map((p) => (
            <li key={p.id}>
              <a href={`#/consents/${encodeURIComponent(p.id)}`} aria-current={p.id === personId ? 'true' : undefined}>
                {[p.lastName?.toUpperCase(), p.firstName].filter(Boolean).join(' ') || p.email || p.id}
              </a>
              {p.email && <span className="muted"> · {p.email}</span>}
            </li>
          ))}
        </ul>
      )}
      {personId !== null && <PersonConsents personId={personId} />}
    </section>
  );
}

function PersonConsents({ personId }: { readonly personId: string }) {
  const { t } = useTranslation();
  const f = useFormat();
  const queryClient = useQueryClient();
  const person = useQuery({ queryKey: ['person', personId], queryFn: () => apiGet<Person>(`/api/v1/people/${encodeURIComponent(personId)}`) });
  const partners = usePartners();
  const sharing = useQuery({ queryKey: ['consents', personId], queryFn: () => apiGet<{ items: ConsentEvent[] }>(`/api/v1/people/${encodeURIComponent(personId)}/consents`) });
  // The controller's own scopes need a grant on prospecting's consents: without it the section says so.
  const own = useQuery({ queryKey: ['prospecting-consents', personId], queryFn: () => apiGet<{ active: Record<string, boolean>; items: ConsentEvent[] }>(`/api/v1/people/${encodeURIComponent(personId)}/prospecting-consents`) });
  const withdraw = useMutation({
    mutationFn: (target: { partnerId: string } | { scope: string }) =>
      apiPost(
        'partnerId' in target
          ? `/api/v1/people/${encodeURIComponent(personId)}/consents/${encodeURIComponent(target.partnerId)}/withdraw`
          : `/api/v1/people/${encodeURIComponent(personId)}/prospecting-consents/${encodeURIComponent(target.scope)}/withdraw`,
      ),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['consents', personId] });
      void queryClient.invalidateQueries({ queryKey: ['prospecting-consents', personId] });
    },
  });
  const partnerName = (id: string | null) => (id === null ? '—' : (partners.data?.items.find((p) => p.id === id)?.name ?? id));
  // A consent is active when its latest event (the history comes oldest first) is `given`.
  const activePartners = new Map<string, string>();
  for (const e of sharing.data?.items ?? []) if (e.partnerId) activePartners.set(e.partnerId, e.state);
  const name = person.data ? [person.data.lastName?.toUpperCase(), person.data.firstName].filter(Boolean).join(' ') : '';
  const history = (items: readonly ConsentEvent[], what: (e: ConsentEvent) => string) => (
    <div className="table-wrap">
      <table className="plain-table">
        <thead>
          <tr>
            <th scope="col">{t('consents.when')}</th>
            <th scope="col">{t('consents.to')}</th>
            <th scope="col">{t('consents.state')}</th>
            <th scope="col">{t('consents.channel')}</th>
            <th scope="col">{t('consents.notice')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((e) => (
            <tr key={e.id}>
              <td>{f.instant(e.eventAt)}</td>
              <td>{what(e)}</td>
              <td>
                <span className={`tag state-${e.state}`}>{t(`consents.states.${e.state}`, { defaultValue: e.state })}</span>
              </td>
              <td>{e.channel}</td>
              <td>{e.noticeVersion}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
  return (
    <article className="card wide" aria-labelledby="person-consents">
      <h2 id="person-consents">{t('consents.of', { name: name || t('consents.thisPerson') })}</h2>
      {person.data && (
        <p>
          <a href={href({ view: 'people', personId })}>{t('consents.openPerson')}</a>
        </p>
      )}
      <h3>{t('consents.sharing')}</h3>
      {sharing.isError && <Failure error={sharing.error} />}
      {sharing.data && sharing.data.items.length === 0 && <p>{t('consents.noSharing')}</p>}
      {sharing.data && sharing.data.items.length > 0 && history(sharing.data.items, (e) => partnerName(e.partnerId))}
      {[...activePartners].filter(([, state]) => state === 'given').length > 0 && (
        <div className="actions">
          {[...activePartners]
            .filter(([, state]) => state === 'given')
            .map(([partnerId]) => (
              <button key={partnerId} type="button" onClick={() => withdraw.mutate({ partnerId })} disabled={withdraw.isPending}>
                {t('consents.withdrawFor', { partner: partnerName(partnerId) })}
              </button>
            ))}
        </div>
      )}
      <h3>{t('consents.own')}</h3>
      {own.isError && (own.error instanceof ApiError && own.error.forbidden ? <p className="muted">{t('consents.ownForbidden')}</p> : <Failure error={own.error} />)}
      {own.data && own.data.items.length === 0 && <p>{t('consents.noOwn')}</p>}
      {own.data && own.data.items.length > 0 && history(own.data.items, (e) => t(`consents.scopes.${e.scope}`, { defaultValue: e.scope }))}
      {own.data && (
        <div className="actions">
          {Object.entries(own.data.active)
            .filter(([, on]) => on)
            .map(([scope]) => (
              <button key={scope} type="button" onClick={() => withdraw.mutate({ scope })} disabled={withdraw.isPending}>
                {t('consents.withdrawScope', { scope: t(`consents.scopes.${scope}`) })}
              </button>
            ))}
        </div>
      )}
      {withdraw.isSuccess && (
        <p className="alert info" role="status">
          {t('consents.withdrawn')}
        </p>
      )}
      {withdraw.isError && <Failure error={withdraw.error} />}
    </article>
  );
}
