import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { apiGet, apiPost, ApiError } from './api.js';
import { href } from './router.js';

/*
 * The dpo's workspace (issue 16 item 2): the dashboard, the request queue and one
 * request's page, the retention plan and the audit trail. Each reads routes whose guard
 * is the duty that put the page in the menu (src/access/navigation.ts).
 */

interface RequestSummary {
  readonly id: string;
  readonly type: string;
  readonly state: string;
  readonly receivedAt: string;
  readonly effectiveDueAt: string;
  readonly extendedDueAt: string | null;
  readonly daysLeft: number | null;
  readonly overdue: boolean;
  readonly identityVerified: boolean;
  readonly doubtRecorded: boolean;
}

interface RequestDetail extends RequestSummary {
  readonly identity: { readonly state: string; readonly verifiedAt: string | null; readonly codeAttempts: number };
  readonly contactEmail: string | null;
  readonly dueAt: string;
  readonly doubtReason: string | null;
  readonly answerPreview: { readonly subject: string; readonly text: string; readonly willDo: string; readonly attachmentNames: readonly string[] } | null;
}

interface PlanLine {
  readonly purpose: string;
  readonly action: string;
  readonly count: number;
}

interface Dashboard {
  readonly requests: { readonly open: number; readonly overdue: number; readonly items: readonly RequestSummary[] } | null;
  readonly retention: { readonly due: readonly PlanLine[]; readonly upcoming: Readonly<Record<'30' | '90' | '365', readonly PlanLine[]>> } | null;
  readonly consents: { readonly months: readonly { readonly month: string; readonly scope: string; readonly given: number; readonly withdrawn: number }[] } | null;
  readonly opposition: { readonly entries: number } | null;
  readonly auditChain: { readonly entries: number; readonly lastVerification: { readonly at: string; readonly ok: boolean } | null } | null;
  readonly failedSignIns: { readonly last24h: number; readonly last7d: number } | null;
}

export function useFormat() {
  const { i18n } = useTranslation();
  const locale = i18n.language === 'en' ? 'en-GB' : 'fr-FR';
  return {
    day: (d: string) => new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${d.slice(0, 10)}T00:00:00Z`)),
    instant: (d: string) => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/Paris' }).format(new Date(d)),
    number: (n: number) => new Intl.NumberFormat(locale).format(n),
  };
}

export function Failure({ error }: { readonly error: unknown }) {
  const { t } = useTranslation();
  return (
    <p className="alert error" role="alert">
      {t('common.error', { message: error instanceof ApiError ? error.message : String(error) })}
    </p>
  );
}

export function Loading() {
  const { t } = useTranslation();
  return (
    <p className="muted" role="status">
      {t('common.loading')}
    </p>
  );
}

/** The request queue: most urgent first, overdue marked; filters by state, right and overdue. */
export function RequestsView() {
  const { t } = useTranslation();
  const f = useFormat();
  const [openOnly, setOpenOnly] = useState(true);
  const [overdueOnly, setOverdueOnly] = useState(false);
  const [type, setType] = useState('');
  const qs = new URLSearchParams({ limit: '200', ...(openOnly ? { open: 'true' } : {}), ...(overdueOnly ? { overdue: 'true' } : {}), ...(type ? { type } : {}) });
  const list = useQuery({ queryKey: ['requests', qs.toString()], queryFn: () => apiGet<{ items: RequestSummary[] }>(`/api/v1/requests?${qs.toString()}`) });
  return (
    <section aria-labelledby="requests-title">
      <h1 id="requests-title">{t('requests.title')}</h1>
      <p className="muted">{t('requests.intro')}</p>
      <div className="filters" role="group" aria-label={t('common.filter')}>
        <label>
          <input type="checkbox" checked={openOnly} onChange={(e) => setOpenOnly(e.target.checked)} /> {t('requests.openOnly')}
        </label>
        <label>
          <input type="checkbox" checked={overdueOnly} onChange={(e) => setOverdueOnly(e.target.checked)} /> {t('requests.overdueOnly')}
        </label>
        <label>
          {t('requests.type')}{' '}
          <select value={type} onChange={(e) => setType(e.target.value)}>
            <option value="">{t('common.all')}</option>
            {['access', 'rectification', 'erasure', 'restriction', 'portability', 'objection'].map((v) => (
              <option key={v} value={v}>
                {t(`types.${v}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {list.isPending && <Loading />}
      {list.isError && <Failure error={list.error} />}
      {list.data && list.data.items.length === 0 && <p>{t('requests.empty')}</p>}
      {list.data && list.data.items.length > 0 && (
        <div className="table-wrap" role="region" aria-labelledby="requests-title" tabIndex={0}>
          <table aria-labelledby="requests-title">
            <thead>
              <tr>
                <th scope="col">{t('requests.colType')}</th>
                <th scope="col">{t('requests.colReceived')}</th>
                <th scope="col">{t('requests.colState')}</th>
                <th scope="col">{t('requests.colDue')}</th>
                <th scope="col">{t('requests.colDays')}</th>
                <th scope="col">{t('requests.colIdentity')}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((r) => (
                <tr key={r.id} className={r.overdue ? 'overdue' : undefined}>
                  <td>
                    <a href={href({ view: 'request', requestId: r.id })}>{t(`types.${r.type}`)}</a>
                  </td>
                  <td>{f.instant(r.receivedAt)}</td>
                  <td>{t(`states.${r.state}`)}</td>
                  <td>
                    {f.day(r.effectiveDueAt)}
                    {r.overdue && <strong className="tag tag-danger"> {t('requests.overdue')}</strong>}
                  </td>
                  <td>{r.daysLeft === null ? '—' : f.number(r.daysLeft)}</td>
                  <td>{r.doubtRecorded ? t('requests.doubt') : r.identityVerified ? t('requests.verified') : t('requests.pending')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** A reason form (extend, refuse, doubt): the reason is required and sent with the decision. */
function ReasonForm({ label, button, onSubmit, pending, months }: { readonly label: string; readonly button: string; readonly onSubmit: (reason: string, months: number) => void; readonly pending: boolean; readonly months?: boolean }) {
  const { t } = useTranslation();
  const [reason, setReason] = useState('');
  const [n, setN] = useState(2);
  const [problem, setProblem] = useState<string | null>(null);
  const id = `reason-${button.replace(/\W+/g, '-').toLowerCase()}`;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (reason.trim() === '') return setProblem(t('request.reasonRequired'));
    setProblem(null);
    onSubmit(reason.trim(), n);
  };
  return (
    <form className="reason-form" onSubmit={submit} noValidate>
      <label htmlFor={id}>{label}</label>
      <textarea id={id} rows={2} value={reason} onChange={(e) => setReason(e.target.value)} aria-invalid={problem !== null} aria-describedby={problem ? `${id}-error` : undefined} />
      {problem && (
        <p id={`${id}-error`} className="field-error" role="alert">
          {problem}
        </p>
      )}
      {months && (
        <label>
          {t('request.months')}{' '}
          <select value={n} onChange={(e) => setN(Number(e.target.value))}>
            <option value={1}>1</option>
            <option value={2}>2</option>
          </select>
        </label>
      )}
      <button type="submit" disabled={pending}>
        {button}
      </button>
    </form>
  );
}

/** One request: its identity check, the engine's answer to review, and the dpo's decisions. */
export function RequestDetailView({ requestId }: { readonly requestId: string }) {
  const { t } = useTranslation();
  const f = useFormat();
  const client = useQueryClient();
  const detail = useQuery({ queryKey: ['request', requestId], queryFn: () => apiGet<RequestDetail>(`/api/v1/requests/${encodeURIComponent(requestId)}`) });
  const [done, setDone] = useState<string | null>(null);
  const act = useMutation({
    mutationFn: ({ path, body }: { path: string; body?: unknown }) => apiPost<{ state: string }>(`/api/v1/requests/${encodeURIComponent(requestId)}/${path}`, body),
    onSuccess: (res) => {
      setDone(res.state);
      void client.invalidateQueries({ queryKey: ['request', requestId] });
      void client.invalidateQueries({ queryKey: ['requests'] });
    },
  });
  if (detail.isPending) return <Loading />;
  if (detail.isError) return <Failure error={detail.error} />;
  const r = detail.data;
  const handling = r.state === 'received' || r.state === 'in_progress' || r.state === 'extended';
  return (
    <section aria-labelledby="request-title" className="request-page">
      <p>
        <a href={href({ view: 'requests' })}>← {t('request.back')}</a>
      </p>
      <h1 id="request-title">{t('request.title', { type: t(`types.${r.type}`) })}</h1>
      <dl className="facts">
        <dt>{t('requests.colState')}</dt>
        <dd>{t(`states.${r.state}`)}</dd>
        <dt>{t('request.received')}</dt>
        <dd>{f.instant(r.receivedAt)}</dd>
        <dt>{r.extendedDueAt ? t('request.extendedDue') : t('request.due')}</dt>
        <dd>
          {f.day(r.effectiveDueAt)} {r.overdue && <strong className="tag tag-danger">{t('requests.overdue')}</strong>}
        </dd>
        <dt>{t('request.identity')}</dt>
        <dd>
          {t(`request.identityStates.${r.identity.state}`, { at: r.identity.verifiedAt ? f.instant(r.identity.verifiedAt) : '' })} · {t('request.attempts', { n: r.identity.codeAttempts })}
        </dd>
        {r.contactEmail && (
          <>
            <dt>{t('request.contact')}</dt>
            <dd>{r.contactEmail}</dd>
          </>
        )}
      </dl>
      {!handling && r.state !== 'identity_pending' && <p className="alert info">{t('request.closed')}</p>}
      {r.answerPreview && (
        <section aria-labelledby="answer-title" className="answer-preview">
          <h2 id="answer-title">{t('request.answer')}</h2>
          <p>
            <strong>{t('request.willDo')} :</strong> {r.answerPreview.willDo}
          </p>
          <pre className="mail-preview" tabIndex={0} aria-labelledby="answer-title">
            {r.answerPreview.subject}
            {'\n\n'}
            {r.answerPreview.text}
          </pre>
          {r.answerPreview.attachmentNames.length > 0 && (
            <p>
              {t('request.attachments')} : {r.answerPreview.attachmentNames.join(', ')}
            </p>
          )}
        </section>
      )}
      {done && (
        <p className="alert success" role="status">
          {t('request.done', { state: t(`states.${done}`) })}
        </p>
      )}
      {act.isError && <Failure error={act.error} />}
      {handling && (
        <div className="decisions">
          <button type="button" className="primary" disabled={act.isPending} onClick={() => act.mutate({ path: 'answer' })}>
            {t('request.doAnswer')}
          </button>
          <details>
            <summary>{t('request.extend')}</summary>
            <ReasonForm label={t('request.extendReason')} button={t('request.doExtend')} months pending={act.isPending} onSubmit={(reason, months) => act.mutate({ path: 'extend', body: { reason, months } })} />
          </details>
          <details>
            <summary>{t('request.refuse')}</summary>
            <ReasonForm label={t('request.refuseReason')} button={t('request.doRefuse')} pending={act.isPending} onSubmit={(reason) => act.mutate({ path: 'refuse', body: { reason } })} />
          </details>
          <details>
            <summary>{t('request.doubt')}</summary>
            <ReasonForm label={t('request.doubtReason')} button={t('request.doDoubt')} pending={act.isPending} onSubmit={(reason) => act.mutate({ path: 'doubt', body: { reason } })} />
          </details>
        </div>
      )}
    </section>
  );
}

/** The dashboard: each section the reader's duty allows (the server sends null for the others). */
export function DashboardView() {
  const { t } = useTranslation();
  const f = useFormat();
  const client = useQueryClient();
  const board = useQuery({ queryKey: ['dashboard'], queryFn: () => apiGet<Dashboard>('/api/v1/dashboard') });
  const verify = useMutation({ mutationFn: () => apiPost('/api/v1/audit/verify'), onSuccess: () => void client.invalidateQueries({ queryKey: ['dashboard'] }) });
  if (board.isPending) return <Loading />;
  if (board.isError) return <Failure error={board.error} />;
  const d = board.data;
  const horizons = d.retention
    ? (['30', '90', '365'] as const).map((days) => {
        const row: Record<string, string | number> = { horizon: t('dashboard.horizon', { days }) };
        for (const line of d.retention!.upcoming[days]) row[line.action] = (Number(row[line.action] ?? 0) + line.count) as number;
        return row;
      })
    : [];
  // Only the actions with something to do: a chart of zeros says less than "nothing planned".
  const actions = [...new Set(horizons.flatMap((h) => Object.keys(h).filter((k) => k !== 'horizon' && Number(h[k]) > 0)))];
  const months = d.consents
    ? Object.values(
        d.consents.months.reduce<Record<string, { month: string; given: number; withdrawn: number }>>((acc, m) => {
          const cur = acc[m.month] ?? { month: m.month, given: 0, withdrawn: 0 };
          cur.given += m.given;
          cur.withdrawn += m.withdrawn;
          acc[m.month] = cur;
          return acc;
        }, {}),
      )
    : [];
  return (
    <section aria-labelledby="dashboard-title" className="dashboard">
      <h1 id="dashboard-title">{t('dashboard.title')}</h1>
      <div className="cards">
        {d.requests && (
          <article className="card" aria-labelledby="dash-requests">
            <h2 id="dash-requests">{t('dashboard.requests')}</h2>
            <p className="big">{t('dashboard.openCount', { open: d.requests.open, overdue: d.requests.overdue })}</p>
            <ul className="plain">
              {d.requests.items.slice(0, 5).map((r) => (
                <li key={r.id} className={r.overdue ? 'overdue' : undefined}>
                  <a href={href({ view: 'request', requestId: r.id })}>{t(`types.${r.type}`)}</a> — {f.day(r.effectiveDueAt)}
                  {r.overdue && <strong className="tag tag-danger"> {t('requests.overdue')}</strong>}
                </li>
              ))}
            </ul>
          </article>
        )}
        {d.opposition && (
          <article className="card" aria-labelledby="dash-opposition">
            <h2 id="dash-opposition">{t('dashboard.opposition')}</h2>
            <p className="big">{t('dashboard.oppositionCount', { n: f.number(d.opposition.entries) })}</p>
          </article>
        )}
        {d.auditChain && (
          <article className="card" aria-labelledby="dash-audit">
            <h2 id="dash-audit">{t('dashboard.audit')}</h2>
            <p>{t('dashboard.entries', { n: f.number(d.auditChain.entries) })}</p>
            <p>
              {d.auditChain.lastVerification
                ? t('dashboard.lastVerified', { at: f.instant(d.auditChain.lastVerification.at), result: d.auditChain.lastVerification.ok ? t('dashboard.ok') : t('dashboard.broken') })
                : t('dashboard.neverVerified')}
            </p>
            <button type="button" onClick={() => verify.mutate()} disabled={verify.isPending}>
              {verify.isPending ? t('dashboard.verifying') : t('dashboard.verify')}
            </button>
            {verify.isError && <Failure error={verify.error} />}
          </article>
        )}
        {d.failedSignIns && (
          <article className="card" aria-labelledby="dash-failed">
            <h2 id="dash-failed">{t('dashboard.failedSignIns')}</h2>
            <p className="big">{t('dashboard.failedCount', { day: d.failedSignIns.last24h, week: d.failedSignIns.last7d })}</p>
          </article>
        )}
      </div>
      {d.retention && (
        <article className="card wide" aria-labelledby="dash-retention">
          <h2 id="dash-retention">{t('dashboard.retention')}</h2>
          {actions.length === 0 ? (
            <p>{t('dashboard.retentionEmpty')}</p>
          ) : (
            <div className="chart" role="img" aria-label={horizons.map((h) => `${String(h.horizon)} : ${actions.map((a) => `${t(`dashboard.actions.${a}`, { defaultValue: a })} ${String(h[a] ?? 0)}`).join(', ')}`).join(' ; ')}>
              <ResponsiveContainer width="100%" height={220}>
                <BarChart data={horizons}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis dataKey="horizon" />
                  <YAxis allowDecimals={false} />
                  <Tooltip />
                  <Legend />
                  {actions.map((a, i) => (
                    <Bar key={a} dataKey={a} name={t(`dashboard.actions.${a}`, { defaultValue: a })} fill={['#00458a', '#b34700', '#1e6b33', '#6b21a8'][i % 4]} />
                  ))}
                </BarChart>
              </ResponsiveContainer>
            </div>
          )}
        </article>
      )}
      {d.consents && months.length > 0 && (
        <article className="card wide" aria-labelledby="dash-consents">
          <h2 id="dash-consents">{t('dashboard.consents')}</h2>
          <div className="chart" role="img" aria-label={months.map((m) => `${m.month} : ${t('dashboard.given')} ${m.given}, ${t('dashboard.withdrawn')} ${m.withdrawn}`).join(' ; ')}>
            <ResponsiveContainer width="100%" height={220}>
              <BarChart data={months}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="month" />
                <YAxis allowDecimals={false} />
                <Tooltip />
                <Legend />
                <Bar dataKey="given" name={t('dashboard.given')} fill="#1e6b33" />
                <Bar dataKey="withdrawn" name={t('dashboard.withdrawn')} fill="#b00020" />
              </BarChart>
            </ResponsiveContainer>
          </div>
        </article>
      )}
    </section>
  );
}

interface Run {
  readonly id: string;
  readonly startedAt: string;
  readonly changed: readonly PlanLine[];
}

/** The retention plan (what each purpose's rule will do) and the last sweeps. */
export function RetentionView() {
  const { t } = useTranslation();
  const f = useFormat();
  const plan = useQuery({ queryKey: ['retention-plan'], queryFn: () => apiGet<{ due: PlanLine[]; upcoming: Record<'30' | '90' | '365', PlanLine[]> }>('/api/v1/retention/plan') });
  const runs = useQuery({ queryKey: ['retention-runs'], queryFn: () => apiGet<{ items: Run[] }>('/api/v1/retention/runs') });
  const lines = plan.data ? [{ label: t('retention.due'), lines: plan.data.due }, ...(['30', '90', '365'] as const).map((d) => ({ label: t('dashboard.horizon', { days: d }), lines: plan.data.upcoming[d] }))] : [];
  return (
    <section aria-labelledby="retention-title">
      <h1 id="retention-title">{t('retention.title')}</h1>
      <p className="muted">{t('retention.intro')}</p>
      {plan.isPending && <Loading />}
      {plan.isError && <Failure error={plan.error} />}
      {lines.map((group) => (
        <section key={group.label} aria-label={group.label}>
          <h2>{group.label}</h2>
          {group.lines.length === 0 ? (
            <p>{t('dashboard.retentionEmpty')}</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('retention.colPurpose')}</th>
                  <th scope="col">{t('retention.colAction')}</th>
                  <th scope="col">{t('retention.colCount')}</th>
                </tr>
              </thead>
              <tbody>
                {group.lines.map((l) => (
                  <tr key={`${l.purpose}-${l.action}`}>
                    <td>{l.purpose}</td>
                    <td>{t(`dashboard.actions.${l.action}`, { defaultValue: l.action })}</td>
                    <td>{f.number(l.count)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      ))}
      <h2>{t('retention.runs')}</h2>
      {runs.isError && <Failure error={runs.error} />}
      {runs.data && runs.data.items.length === 0 && <p>{t('retention.noRuns')}</p>}
      {runs.data && runs.data.items.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('retention.colStarted')}</th>
              <th scope="col">{t('retention.colChanged')}</th>
            </tr>
          </thead>
          <tbody>
            {runs.data.items.map((r) => (
              <tr key={r.id}>
                <td>{f.instant(r.startedAt)}</td>
                <td>{r.changed.map((c) => `${c.purpose} ${t(`dashboard.actions.${c.action}`, { defaultValue: c.action })} ${c.count}`).join(' ; ') || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

interface AuditEntry {
  readonly seq: number;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly resource: string;
  readonly personIds: readonly string[];
  readonly fields: readonly string[];
}

/** The audit trail, newest first (the server pages it; the first 100 here). */
export function AuditView() {
  const { t } = useTranslation();
  const f = useFormat();
  const list = useQuery({ queryKey: ['audit'], queryFn: () => apiGet<{ items: AuditEntry[] }>('/api/v1/audit?limit=100') });
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">{t('audit.title')}</h1>
      <p className="muted">{t('audit.intro')}</p>
      {list.isPending && <Loading />}
      {list.isError && <Failure error={list.error} />}
      {list.data && list.data.items.length === 0 && <p>{t('audit.empty')}</p>}
      {list.data && list.data.items.length > 0 && (
        <div className="table-wrap" role="region" aria-labelledby="audit-title" tabIndex={0}>
          <table aria-labelledby="audit-title">
            <thead>
              <tr>
                <th scope="col">{t('audit.colAt')}</th>
                <th scope="col">{t('audit.colActor')}</th>
                <th scope="col">{t('audit.colAction')}</th>
                <th scope="col">{t('audit.colResource')}</th>
                <th scope="col">{t('audit.colPeople')}</th>
                <th scope="col">{t('audit.colFields')}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((e) => (
                <tr key={e.seq}>
                  <td>{f.instant(e.at)}</td>
                  <td>{e.actor}</td>
                  <td>{e.action}</td>
                  <td>{e.resource}</td>
                  <td>{e.personIds.length}</td>
                  <td className="fields">{e.fields.join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
