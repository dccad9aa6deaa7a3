import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useMay } from './actions.js';
import { apiGet, apiPost } from './api.js';
import { OrganisationName } from './organisation-name.js';
import { href } from './router.js';
import { Failure, Loading, useFormat } from './workspace.js';

/*
 * Awareness and training, held as each client's processor (annex; GDPR Art. 28; issue
 * 16 item 5): the engagements a role may see (a client's contact: its own only, the
 * server scopes them), one engagement's report as charts per campaign and per department
 * (figures only, no one named), and its close: the package returned, every row destroyed,
 * and the signed destruction certificate (Art. 28(3)(g)).
 */

interface Engagement {
  readonly id: string;
  readonly clientOrganisationId: string;
  readonly name: string;
  readonly startsOn: string;
  readonly endsOn: string;
  readonly endChoice: string;
  readonly status: 'active' | 'closed';
  readonly platforms: readonly { readonly kind?: string; readonly name?: string }[];
  readonly closedAt: string | null;
}

type Counts = Readonly<Record<'sent' | 'opened' | 'clicked' | 'submitted' | 'reported', number>>;

interface Report {
  readonly trainees: number;
  readonly generatedAt: string;
  readonly campaigns: readonly ({ readonly campaign: number; readonly firstSeenAt: string } & Counts)[];
  readonly departments: readonly ({ readonly department: string } & Counts)[];
  readonly courses: readonly { readonly activity: string; readonly learners: number; readonly completed: number; readonly completionRate: number | null; readonly passRate: number | null; readonly averageScore: number | null }[];
}

interface Closed {
  readonly certificate: { readonly certificate: { readonly destroyed: Readonly<Record<string, number>>; readonly destroyedAt: string; readonly package: { readonly sha256: string; readonly bytes: number } }; readonly signature: { readonly algorithm: string; readonly value: string } };
  readonly packageSha256: string;
  readonly package?: string;
}

const KINDS = ['sent', 'opened', 'clicked', 'submitted', 'reported'] as const;
const COLOURS: Readonly<Record<(typeof KINDS)[number], string>> = { sent: '#8b97a8', opened: '#3b74c4', clicked: '#b42318', submitted: '#7a2e0e', reported: '#1f7a4d' };

export function TrainingView({ engagementId }: { readonly engagementId: string | null }) {
  return engagementId === null ? <EngagementList /> : <EngagementPage id={engagementId} />;
}

function EngagementList() {
  const { t } = useTranslation();
  const f = useFormat();
  // A client's contact reads no organisation (its engagements are its own): the column is left out rather than refused row by row.
  const showClient = useMay('page:organisations');
  const list = useQuery({ queryKey: ['engagements'], queryFn: () => apiGet<Engagement[]>('/api/v1/engagements') });
  return (
    <section aria-labelledby="training-title">
      <h1 id="training-title">{t('training.title')}</h1>
      <p className="muted">{t('training.intro')}</p>
      {list.isPending && <Loading />}
      {list.isError && <Failure error={list.error} />}
      {list.data && list.data.length === 0 && <p>{t('training.empty')}</p>}
      {list.data && list.data.length > 0 && (
        <div className="table-wrap" role="region" aria-labelledby="engagements-table" tabIndex={0}>
          <table className="plain-table">
            <caption id="engagements-table">{t('training.engagements')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('training.name')}</th>
                {showClient && <th scope="col">{t('training.client')}</th>}
                <th scope="col">{t('training.period')}</th>
                <th scope="col">{t('training.status')}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((e) => (
                <tr key={e.id}>
                  <td>
                    <a href={href({ view: 'training', engagementId: e.id })}>{e.name}</a>
                  </td>
                  {showClient && (
                    <td>
                      <OrganisationName id={e.clientOrganisationId} />
                    </td>
                  )}
                  <td>{t('training.from', { start: f.day(e.startsOn), end: f.day(e.endsOn) })}</td>
                  <td>{t(`training.statuses.${e.status}`)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** A bar chart of the phishing counts by campaign or department, with the same figures as a table for those who cannot see it. */
function CountsChart({ title, rows }: { readonly title: string; readonly rows: readonly ({ readonly label: string } & Counts)[] }) {
  const { t } = useTranslation();
  const f = useFormat();
  return (
    <figure className="card wide" aria-label={title}>
      <figcaption>
        <h2>{title}</h2>
      </figcaption>
      <div className="chart" role="img" aria-label={t('training.chartAlt', { title })} style={{ width: '100%', height: 240 }}>
        <ResponsiveContainer>
          <BarChart data={rows.map((r) => ({ ...r }))}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="label" />
            <YAxis allowDecimals={false} />
            <Tooltip />
            <Legend />
            {KINDS.map((k) => (
              <Bar key={k} dataKey={k} name={t(`training.kinds.${k}`)} fill={COLOURS[k]} />
            ))}
          </BarChart>
        </ResponsiveContainer>
      </div>
      <div className="table-wrap">
        <table className="plain-table">
          <caption className="sr-only">{title}</caption>
          <thead>
            <tr>
              <th scope="col">{t('training.row')}</th>
              {KINDS.map((k) => (
                <th scope="col" key={k}>
                  {t(`training.kinds.${k}`)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.label}>
                <th scope="row">{r.label}</th>
                {KINDS.map((k) => (
                  <td key={k}>{f.number(r[k])}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}

function EngagementPage({ id }: { readonly id: string }) {
  const { t } = useTranslation();
  const f = useFormat();
  const queryClient = useQueryClient();
  const mayClose = useMay('training.close');
  const showClient = useMay('page:organisations');
  const engagement = useQuery({ queryKey: ['engagement', id], queryFn: () => apiGet<Engagement>(`/api/v1/engagements/${encodeURIComponent(id)}`) });
  const report = useQuery({ queryKey: ['engagement-report', id], queryFn: () => apiGet<Report>(`/api/v1/engagements/${encodeURIComponent(id)}/report`), enabled: engagement.data?.status === 'active' });
  const close = useMutation({
    mutationFn: () => apiPost<Closed>(`/api/v1/engagements/${encodeURIComponent(id)}/close`, {}),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['engagement', id] });
      void queryClient.invalidateQueries({ queryKey: ['engagements'] });
    },
  });
  if (engagement.isError) return <Failure error={engagement.error} />;
  if (!engagement.data) return <Loading />;
  const e = engagement.data;
  return (
    <section aria-labelledby="engagement-title">
      <p>
        <a href={href({ view: 'training', engagementId: null })}>{t('training.back')}</a>
      </p>
      <h1 id="engagement-title">{e.name}</h1>
      <dl className="facts">
        {showClient && (
          <>
            <dt>{t('training.client')}</dt>
            <dd>
              <OrganisationName id={e.clientOrganisationId} />
            </dd>
          </>
        )}
        <dt>{t('training.period')}</dt>
        <dd>{t('training.from', { start: f.day(e.startsOn), end: f.day(e.endsOn) })}</dd>
        <dt>{t('training.status')}</dt>
        <dd>{t(`training.statuses.${e.status}`)}</dd>
        <dt>{t('training.endChoice')}</dt>
        <dd>{t(`training.endChoices.${e.endChoice}`, { defaultValue: e.endChoice })}</dd>
        {e.closedAt && (
          <>
            <dt>{t('training.closedAt')}</dt>
            <dd>{f.instant(e.closedAt)}</dd>
          </>
        )}
      </dl>
      {e.status === 'closed' && <p className="alert info">{t('training.closedText')}</p>}
      {report.isError && <Failure error={report.error} />}
      {report.data && (
        <>
          <p className="big">{t('training.trainees', { count: report.data.trainees, n: f.number(report.data.trainees) })}</p>
          {report.data.campaigns.length === 0 ? (
            <p>{t('training.noCampaign')}</p>
          ) : (
            <>
              <CountsChart title={t('training.byCampaign')} rows={report.data.campaigns.map((c) => ({ ...c, label: t('training.campaign', { n: c.campaign }) }))} />
              <CountsChart title={t('training.byDepartment')} rows={report.data.departments.map((d) => ({ ...d, label: d.department || t('training.noDepartment') }))} />
            </>
          )}
          {report.data.courses.length > 0 && (
            <div className="table-wrap">
              <table className="plain-table">
                <caption>{t('training.courses')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('training.course')}</th>
                    <th scope="col">{t('training.learners')}</th>
                    <th scope="col">{t('training.completed')}</th>
                    <th scope="col">{t('training.passRate')}</th>
                  </tr>
                </thead>
                <tbody>
                  {report.data.courses.map((c) => (
                    <tr key={c.activity}>
                      <td>{c.activity}</td>
                      <td>{f.number(c.learners)}</td>
                      <td>{f.number(c.completed)}</td>
                      <td>{c.passRate === null ? '—' : `${f.number(Math.round(c.passRate * 100))} %`}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <p>
            <a href={`/api/v1/engagements/${encodeURIComponent(id)}/report?format=csv`} download>
              {t('training.reportCsv')}
            </a>
          </p>
        </>
      )}
      {e.status === 'active' && mayClose && (
        <section className="card wide" aria-labelledby="close-title">
          <h2 id="close-title">{t('training.close')}</h2>
          <p>{t('training.closeText')}</p>
          <button
            type="button"
            className="primary"
            disabled={close.isPending}
            onClick={() => {
              if (window.confirm(t('training.closeConfirm'))) close.mutate();
            }}
          >
            {t('training.closeButton')}
          </button>
        </section>
      )}
      {close.data && (
        <div className="alert info" role="status">
          <p>{t('training.certified', { when: f.instant(close.data.certificate.certificate.destroyedAt) })}</p>
          <dl className="facts">
            <dt>{t('training.destroyed')}</dt>
            <dd>
              {Object.entries(close.data.certificate.certificate.destroyed)
                .map(([k, n]) => `${k} ${f.number(n)}`)
                .join(' · ')}
            </dd>
            <dt>{t('training.packageSha')}</dt>
            <dd className="mono">{close.data.packageSha256}</dd>
            <dt>{t('training.signature')}</dt>
            <dd className="mono">{close.data.certificate.signature.algorithm}</dd>
          </dl>
          {close.data.package && (
            <p>
              <a href={close.data.package} download>
                {t('training.download')}
              </a>
            </p>
          )}
        </div>
      )}
      {close.isError && <Failure error={close.error} />}
    </section>
  );
}
