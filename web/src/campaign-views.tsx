import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useMay } from './actions.js';
import { apiGet, apiPost, ApiError } from './api.js';
import { Failure, Loading, useFormat } from './workspace.js';

/*
 * Segments and campaigns (issue 16 item 3, R-PROS-3 to R-PROS-7): a segment's live
 * eligible count and who is left out by which rule (`excluded`, the guard's
 * EXCLUSION_REASONS, src/prospecting/campaigns/guard.ts), counted by the same guard the
 * send uses, so no selection the page shows can bypass the opposition list; a campaign
 * written for a segment, its send previewed (dryRun: the same count, nothing sent), then sent.
 */

const SEGMENT_KINDS = ['prospecting', 'loyalty', 'study', 'survey', 'promotion'] as const;
const HEADCOUNT_BANDS = ['0-9', '10-49', '50-249', '250-999', '1000+'] as const;
const RELATIONS = ['prospect', 'client_contact', 'colleague'] as const;

type Criteria = Readonly<Record<string, unknown>>;

interface Segment {
  readonly id: string;
  readonly name: string;
  readonly kind: string;
  readonly criteria: Criteria;
  readonly createdAt: string;
}

interface Count {
  readonly eligible: number;
  readonly excluded: Readonly<Record<string, number>>;
}

interface Campaign {
  readonly id: string;
  readonly name: string;
  readonly segmentId: string;
  readonly channel: string;
  readonly language: string;
  readonly subject: string;
  readonly body: string;
  readonly trackOpens: boolean;
  readonly status: string;
  readonly createdAt: string;
  readonly sentAt: string | null;
}

interface SendResult extends Count {
  readonly dryRun: boolean;
  readonly sent: number;
  readonly withArt14: number;
  readonly alreadySent: number;
  readonly stoppedAtSend: number;
  readonly failed: number;
}

/** Who a count leaves out, rule by rule, with the rule's reason (the rules that left nobody out are not listed). */
function LeftOut({ count }: { readonly count: Count }) {
  const { t } = useTranslation();
  const f = useFormat();
  const rules = Object.entries(count.excluded).filter(([, n]) => n > 0);
  if (rules.length === 0) return <p className="muted small">{t('segments.noneLeftOut')}</p>;
  return (
    <div className="left-out">
      <p className="small">{t('segments.leftOut')}</p>
      <ul className="plain">
        {rules.map(([rule, n]) => (
          <li key={rule}>
            {t('segments.ruleCount', { rule: t(`segments.rules.${rule}`, { defaultValue: rule }), n: f.number(n) })}
          </li>
        ))}
      </ul>
    </div>
  );
}

function criteriaSummary(t: (k: string, o?: Record<string, unknown>) => string, c: Criteria): string {
  const parts = Object.entries(c).map(([k, v]) => {
    const value = Array.isArray(v) ? v.map((x) => (k === 'relations' ? t(`segments.relations.${String(x)}`) : String(x))).join(', ') : String(v);
    return t('segments.criterion', { name: t(`segments.criteria.${k}`, { defaultValue: k }), value });
  });
  return parts.length === 0 ? t('segments.everyone') : parts.join(' · ');
}

function SegmentCount({ id }: { readonly id: string }) {
  const { t } = useTranslation();
  const f = useFormat();
  const count = useQuery({ queryKey: ['segment-count', id], queryFn: () => apiGet<Count>(`/api/v1/segments/${encodeURIComponent(id)}/preview`) });
  if (count.isError) return <Failure error={count.error} />;
  if (!count.data) return <Loading />;
  return (
    <>
      <p className="big">{t('segments.eligible', { count: count.data.eligible, n: f.number(count.data.eligible) })}</p>
      <LeftOut count={count.data} />
    </>
  );
}

const list = (text: string): string[] =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

export function SegmentsView() {
  const { t } = useTranslation();
  const f = useFormat();
  const ids = useId();
  const queryClient = useQueryClient();
  const segments = useQuery({ queryKey: ['segments'], queryFn: () => apiGet<{ items: Segment[] }>('/api/v1/segments') });
  const mayCreate = useMay('segments.create');
  const [name, setName] = useState('');
  const [kind, setKind] = useState<string>('prospecting');
  const [sectors, setSectors] = useState('');
  const [regions, setRegions] = useState('');
  const [sources, setSources] = useState('');
  const [jobTitle, setJobTitle] = useState('');
  const [bands, setBands] = useState<string[]>([]);
  const [relations, setRelations] = useState<string[]>([]);
  const criteria: Criteria = {
    ...(bands.length > 0 ? { headcountBands: bands } : {}),
    ...(list(sectors).length > 0 ? { sectors: list(sectors) } : {}),
    ...(list(regions).length > 0 ? { regions: list(regions) } : {}),
    ...(list(sources).length > 0 ? { sources: list(sources) } : {}),
    ...(jobTitle.trim() !== '' ? { jobTitleContains: jobTitle.trim() } : {}),
    ...(relations.length > 0 ? { relations } : {}),
  };
  const key = JSON.stringify(criteria);
  // The live count follows the criteria as they are typed (a short pause first).
  const [debounced, setDebounced] = useState(key);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(key), 300);
    return () => clearTimeout(timer);
  }, [key]);
  const live = useQuery({ queryKey: ['segment-live', debounced], queryFn: () => apiPost<Count>('/api/v1/segments/preview', { criteria: JSON.parse(debounced) as Criteria }) });
  const save = useMutation({
    mutationFn: () => apiPost<Segment>('/api/v1/segments', { name: name.trim(), kind, criteria }),
    onSuccess: () => {
      setName('');
      void queryClient.invalidateQueries({ queryKey: ['segments'] });
    },
  });
  const toggle = (listOf: string[], set: (v: string[]) => void, v: string) => set(listOf.includes(v) ? listOf.filter((x) => x !== v) : [...listOf, v]);
  const onSave = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  const fieldErrors = save.error instanceof ApiError ? save.error.details : live.error instanceof ApiError ? live.error.details : [];
  return (
    <section aria-labelledby="segments-title">
      <h1 id="segments-title">{t('segments.title')}</h1>
      <p className="muted">{t('segments.intro')}</p>
      <form className="card wide" onSubmit={onSave} aria-labelledby={`${ids}-new`}>
        <h2 id={`${ids}-new`}>{mayCreate ? t('segments.new') : t('segments.try')}</h2>
        <div className="segment-editor">
          <div className="form-grid">
            {mayCreate && (
              <>
                <label htmlFor={`${ids}-name`}>{t('segments.name')}</label>
                <input id={`${ids}-name`} type="text" value={name} onChange={(e) => setName(e.target.value)} required />
              </>
            )}
            <label htmlFor={`${ids}-kind`}>{t('segments.kind')}</label>
            <select id={`${ids}-kind`} value={kind} onChange={(e) => setKind(e.target.value)}>
              {SEGMENT_KINDS.map((k) => (
                <option key={k} value={k}>
                  {t(`segments.kinds.${k}`)}
                </option>
              ))}
            </select>
            <label htmlFor={`${ids}-sectors`}>{t('segments.criteria.sectors')}</label>
            <input id={`${ids}-sectors`} type="text" value={sectors} onChange={(e) => setSectors(e.target.value)} placeholder={t('segments.listHelp')} />
            <label htmlFor={`${ids}-regions`}>{t('segments.criteria.regions')}</label>
            <input id={`${ids}-regions`} type="text" value={regions} onChange={(e) => setRegions(e.target.value)} placeholder={t('segments.regionsHelp')} />
            <label htmlFor={`${ids}-sources`}>{t('segments.criteria.sources')}</label>
            <input id={`${ids}-sources`} type="text" value={sources} onChange={(e) => setSources(e.target.value)} placeholder={t('segments.listHelp')} />
            <label htmlFor={`${ids}-job`}>{t('segments.criteria.jobTitleContains')}</label>
            <input id={`${ids}-job`} type="text" value={jobTitle} onChange={(e) => setJobTitle(e.target.value)} />
          </div>
          <fieldset>
            <legend>{t('segments.criteria.headcountBands')}</legend>
            {HEADCOUNT_BANDS.map((b) => (
              <label key={b} className="check">
                <input type="checkbox" checked={bands.includes(b)} onChange={() => toggle(bands, setBands, b)} /> {b}
              </label>
            ))}
          </fieldset>
          <fieldset>
            <legend>{t('segments.criteria.relations')}</legend>
            {RELATIONS.map((r) => (
              <label key={r} className="check">
                <input type="checkbox" checked={relations.includes(r)} onChange={() => toggle(relations, setRelations, r)} /> {t(`segments.relations.${r}`)}
              </label>
            ))}
          </fieldset>
        </div>
        <section className="live-count" aria-live="polite" aria-labelledby={`${ids}-live`}>
          <h3 id={`${ids}-live`}>{t('segments.liveCount')}</h3>
          {live.data ? (
            <>
              <p className="big">{t('segments.eligible', { count: live.data.eligible, n: f.number(live.data.eligible) })}</p>
              <LeftOut count={live.data} />
            </>
          ) : live.isError ? (
            <Failure error={live.error} />
          ) : (
            <Loading />
          )}
        </section>
        {fieldErrors.length > 0 && (
          <ul className="field-error">
            {fieldErrors.map((d, i) => (
              <li key={i}>{`${d.field} ${d.message}`}</li>
            ))}
          </ul>
        )}
        {mayCreate && (
          <div className="actions">
            <button type="submit" className="primary" disabled={save.isPending || name.trim() === ''}>
              {t('segments.save')}
            </button>
          </div>
        )}
        {save.isError && !(save.error instanceof ApiError && save.error.details.length > 0) && <Failure error={save.error} />}
      </form>
      <h2>{t('segments.saved')}</h2>
      {segments.isPending && <Loading />}
      {segments.isError && <Failure error={segments.error} />}
      {segments.data && segments.data.items.length === 0 && <p>{t('segments.empty')}</p>}
      <div className="cards">
        {segments.data?.items.map((s) => (
          <article key={s.id} className="card" aria-labelledby={`seg-${s.id}`}>
            <h2 id={`seg-${s.id}`}>{s.name}</h2>
            <p className="muted small">
              {t(`segments.kinds.${s.kind}`, { defaultValue: s.kind })} · {criteriaSummary(t, s.criteria)}
            </p>
            <SegmentCount id={s.id} />
          </article>
        ))}
      </div>
    </section>
  );
}

export function CampaignsView() {
  const { t } = useTranslation();
  const f = useFormat();
  const ids = useId();
  const queryClient = useQueryClient();
  const campaigns = useQuery({ queryKey: ['campaigns'], queryFn: () => apiGet<{ items: Campaign[] }>('/api/v1/campaigns') });
  const segments = useQuery({ queryKey: ['segments'], queryFn: () => apiGet<{ items: Segment[] }>('/api/v1/segments') });
  const mayCreate = useMay('campaigns.create');
  const [draft, setDraft] = useState({ name: '', segmentId: '', subject: '', body: '', language: 'fr', trackOpens: false });
  const create = useMutation({
    mutationFn: () => apiPost<Campaign>('/api/v1/campaigns', draft),
    onSuccess: () => {
      setDraft({ name: '', segmentId: '', subject: '', body: '', language: 'fr', trackOpens: false });
      void queryClient.invalidateQueries({ queryKey: ['campaigns'] });
    },
  });
  const segmentName = (id: string) => segments.data?.items.find((s) => s.id === id)?.name ?? '—';
  const onCreate = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  const set = (k: keyof typeof draft) => (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [k]: e.target.value }));
  return (
    <section aria-labelledby="campaigns-title">
      <h1 id="campaigns-title">{t('campaigns.title')}</h1>
      <p className="muted">{t('campaigns.intro')}</p>
      {campaigns.isPending && <Loading />}
      {campaigns.isError && <Failure error={campaigns.error} />}
      {campaigns.data && campaigns.data.items.length === 0 && <p>{t('campaigns.empty')}</p>}
      {campaigns.data?.items.map((c) => (
        <CampaignCard key={c.id} campaign={c} segmentName={segmentName(c.segmentId)} />
      ))}
      {mayCreate && (
      <form className="card wide" onSubmit={onCreate} aria-labelledby={`${ids}-new`}>
        <h2 id={`${ids}-new`}>{t('campaigns.new')}</h2>
        <div className="form-grid">
          <label htmlFor={`${ids}-name`}>{t('campaigns.name')}</label>
          <input id={`${ids}-name`} type="text" value={draft.name} onChange={set('name')} required />
          <label htmlFor={`${ids}-segment`}>{t('campaigns.segment')}</label>
          <select id={`${ids}-segment`} value={draft.segmentId} onChange={set('segmentId')} required>
            <option value="">{t('campaigns.chooseSegment')}</option>
            {segments.data?.items.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
          <label htmlFor={`${ids}-lang`}>{t('campaigns.language')}</label>
          <select id={`${ids}-lang`} value={draft.language} onChange={set('language')}>
            <option value="fr">Français</option>
            <option value="en">English</option>
          </select>
          <label htmlFor={`${ids}-subject`}>{t('campaigns.subject')}</label>
          <input id={`${ids}-subject`} type="text" value={draft.subject} onChange={set('subject')} required />
          <label htmlFor={`${ids}-body`}>{t('campaigns.body')}</label>
          <textarea id={`${ids}-body`} rows={8} value={draft.body} onChange={set('body')} required aria-describedby={`${ids}-body-help`} />
          <p id={`${ids}-body-help`} className="muted help">
            {t('campaigns.bodyHelp')}
          </p>
        </div>
        <label className="check">
          <input type="checkbox" checked={draft.trackOpens} onChange={(e) => setDraft((d) => ({ ...d, trackOpens: e.target.checked }))} /> {t('campaigns.trackOpens')}
        </label>
        <div className="actions">
          <button type="submit" className="primary" disabled={create.isPending}>
            {t('campaigns.create')}
          </button>
        </div>
        {create.isError && <Failure error={create.error} />}
      </form>
      )}
      {campaigns.data && <p className="muted small">{t('campaigns.count', { count: campaigns.data.items.length, n: f.number(campaigns.data.items.length) })}</p>}
    </section>
  );
}

function CampaignCard({ campaign, segmentName }: { readonly campaign: Campaign; readonly segmentName: string }) {
  const { t } = useTranslation();
  const f = useFormat();
  const queryClient = useQueryClient();
  const [result, setResult] = useState<SendResult | null>(null);
  const send = useMutation({
    mutationFn: (dryRun: boolean) => apiPost<SendResult>(`/api/v1/campaigns/${encodeURIComponent(campaign.id)}/send`, { dryRun }),
    onSuccess: (r) => {
      setResult(r);
      if (!r.dryRun) void queryClient.invalidateQueries({ queryKey: ['campaigns'] });
    },
  });
  const sent = campaign.status === 'sent';
  const mayCreate = useMay('campaigns.create');
  return (
    <article className="card wide" aria-labelledby={`camp-${campaign.id}`}>
      <div className="pair-header">
        <h2 id={`camp-${campaign.id}`}>{campaign.name}</h2>
        <span className="tag">{t(`campaigns.statuses.${campaign.status}`, { defaultValue: campaign.status })}</span>
      </div>
      <dl className="facts">
        <dt>{t('campaigns.segment')}</dt>
        <dd>{segmentName}</dd>
        <dt>{t('campaigns.subject')}</dt>
        <dd>{campaign.subject}</dd>
        <dt>{t('campaigns.created')}</dt>
        <dd>{f.instant(campaign.createdAt)}</dd>
        {campaign.sentAt && (
          <>
            <dt>{t('campaigns.sentAt')}</dt>
            <dd>{f.instant(campaign.sentAt)}</dd>
          </>
        )}
      </dl>
      <details>
        <summary>{t('campaigns.showBody')}</summary>
        <pre className="mail-preview">{campaign.body}</pre>
      </details>
      {result && (
        <div className="send-result" role="status">
          <p>
            <strong>{result.dryRun ? t('campaigns.wouldSend', { n: f.number(result.sent) }) : t('campaigns.didSend', { n: f.number(result.sent) })}</strong>
            {result.withArt14 > 0 && <> {t('campaigns.withArt14', { n: f.number(result.withArt14) })}</>}
            {result.alreadySent > 0 && <> {t('campaigns.alreadySent', { n: f.number(result.alreadySent) })}</>}
            {result.failed > 0 && <> {t('campaigns.failed', { n: f.number(result.failed) })}</>}
          </p>
          <LeftOut count={result} />
        </div>
      )}
      {!sent && mayCreate && (
        <div className="actions">
          <button type="button" onClick={() => send.mutate(true)} disabled={send.isPending}>
            {t('campaigns.preview')}
          </button>
          <button type="button" className="primary" onClick={() => send.mutate(false)} disabled={send.isPending || result === null || !result.dryRun}>
            {t('campaigns.send')}
          </button>
        </div>
      )}
      {!sent && mayCreate && result === null && <p className="muted small">{t('campaigns.previewFirst')}</p>}
      {send.isError && <Failure error={send.error} />}
    </article>
  );
}
