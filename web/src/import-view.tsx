import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { apiGet, apiUpload } from './api.js';
import { pageHref } from './router.js';
import { saveFile } from './save-file.js';
import { Failure, Loading, useFormat } from './workspace.js';

/*
 * The import wizard (issue 16 item 3): choose a file and say where it comes from; the
 * server previews it with the import's own reader and normaliser (POST /imports/preview),
 * the user corrects the encoding, the separator or a column's field; the import runs as
 * a job polled for its progress (POST /imports, GET /imports/{id}); its report lists the
 * rejected rows by line, field and reason in the user's language (the reasons' codes,
 * IMPORT_PROBLEM_CODES, are translated here; the server's English text is the fallback).
 */

/** A problem with a row or a value (src/prospecting/import/tables.ts). */
interface Problem {
  readonly row?: number;
  readonly line?: number;
  readonly field: string;
  readonly code?: string;
  readonly reason: string;
}

interface Preview {
  readonly format: 'csv' | 'xlsx';
  readonly encoding: string;
  readonly delimiter: string | null;
  readonly columns: readonly { readonly header: string; readonly field: string | null }[];
  readonly fields: readonly string[];
  readonly rows: readonly { readonly row: number; readonly line: number; readonly values: readonly string[]; readonly rejected: Problem | null; readonly warnings: readonly Problem[] }[];
  readonly importable: boolean;
}

interface ImportReport {
  readonly imported: number;
  readonly merged: number;
  readonly fuzzyMerged: number;
  readonly created: number;
  readonly rows: number;
  readonly blankRows: number;
  readonly rejected: readonly Problem[];
  readonly warnings: readonly Problem[];
  readonly notEligible: readonly Problem[];
  readonly flaggedOpposed: number;
  readonly queuedForReview: number;
  readonly organisationsCreated: number;
  readonly consentsRecorded: number;
  readonly encoding: string;
  readonly delimiter: string | null;
}

interface ImportJob {
  readonly id: string;
  readonly status: 'queued' | 'running' | 'done' | 'failed';
  readonly source: string;
  readonly dryRun: boolean;
  readonly rowsTotal: number | null;
  readonly rowsDone: number;
  readonly imported: number;
  readonly merged: number;
  readonly createdAt: string;
  readonly finishedAt: string | null;
  readonly report?: ImportReport | null;
  readonly error?: { readonly code: string; readonly message: string } | null;
}

/** The separators the server reads (src/prospecting/import/reader.ts DELIMITERS); a tab travels as `tab`. */
const DELIMITERS = [',', ';', '\t', '|'] as const;
const ENCODINGS = ['utf-8', 'windows-1252'] as const;

/** The user's corrections of what the server detected, sent with the preview and with the import. */
interface Corrections {
  readonly encoding: string | null;
  readonly delimiter: string | null;
  readonly columns: Readonly<Record<string, string>>;
}

const NO_CORRECTIONS: Corrections = { encoding: null, delimiter: null, columns: {} };

function formOf(file: File, c: Corrections, extra: Readonly<Record<string, string>> = {}): FormData {
  const form = new FormData();
  // Text fields first: the server reads the parts in order and the file last.
  if (c.encoding) form.append('encoding', c.encoding);
  if (c.delimiter) form.append('delimiter', c.delimiter === '\t' ? 'tab' : c.delimiter);
  if (Object.keys(c.columns).length > 0) form.append('columns', JSON.stringify(c.columns));
  for (const [k, v] of Object.entries(extra)) form.append(k, v);
  form.append('file', file, file.name);
  return form;
}

/** A problem's text in the user's language: its code's translation, else the server's English reason. */
function useProblemText() {
  const { t } = useTranslation();
  return (p: Problem) => (p.code ? t(`importProblems.${p.code}`, { defaultValue: p.reason }) : p.reason);
}

function delimiterLabel(t: (k: string) => string, d: string | null): string {
  if (d === null) return '—';
  return d === '\t' ? t('import.tab') : d;
}

/** The rows of a report (rejected rows, warnings) as a CSV the user downloads: line, field and reason, never a cell of the file. */
function reportCsv(report: ImportReport, text: (p: Problem) => string, headers: readonly string[]): string {
  const quote = (s: string) => `"${s.replaceAll('"', '""')}"`;
  const lines = [headers.map(quote).join(';')];
  for (const [kind, list] of [
    ['rejected', report.rejected],
    ['warning', report.warnings],
    ['notEligible', report.notEligible],
  ] as const)
    for (const p of list) lines.push([kind, String(p.row ?? ''), String(p.line ?? ''), p.field, p.code ?? '', text(p)].map(quote).join(';'));
  return '\ufeff' + lines.join('\r\n') + '\r\n';
}

export function ImportView() {
  const { t } = useTranslation();
  const ids = useId();
  const [file, setFile] = useState<File | null>(null);
  const [source, setSource] = useState('');
  const [corrections, setCorrections] = useState<Corrections>(NO_CORRECTIONS);
  const [jobId, setJobId] = useState<string | null>(null);
  const queryClient = useQueryClient();

  const preview = useMutation({ mutationFn: (input: { file: File; corrections: Corrections }) => apiUpload<Preview>('/api/v1/imports/preview', formOf(input.file, input.corrections)) });
  const start = useMutation({
    mutationFn: (input: { file: File; corrections: Corrections; source: string }) => apiUpload<{ id: string }>('/api/v1/imports', formOf(input.file, input.corrections, { source: input.source })),
    onSuccess: (r) => {
      setJobId(r.id);
      void queryClient.invalidateQueries({ queryKey: ['imports'] });
    },
  });

  const correct = (next: Corrections) => {
    setCorrections(next);
    if (file) preview.mutate({ file, corrections: next });
  };
  const onPreview = (e: FormEvent) => {
    e.preventDefault();
    if (!file) return;
    setJobId(null);
    start.reset();
    setCorrections(NO_CORRECTIONS);
    preview.mutate({ file, corrections: NO_CORRECTIONS });
  };
  const restart = () => {
    setJobId(null);
    setFile(null);
    setSource('');
    setCorrections(NO_CORRECTIONS);
    preview.reset();
    start.reset();
  };

  return (
    <section aria-labelledby="import-title">
      <h1 id="import-title">{t('import.title')}</h1>
      <p className="muted">{t('import.intro')}</p>
      {jobId === null && (
        <form className="card wide import-form" onSubmit={onPreview} aria-labelledby={`${ids}-step1`}>
          <h2 id={`${ids}-step1`}>{t('import.step1')}</h2>
          <div className="form-grid">
            <label htmlFor={`${ids}-file`}>{t('import.file')}</label>
            <input
              id={`${ids}-file`}
              type="file"
              accept=".csv,.tsv,.txt,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
              onChange={(e) => {
                setFile(e.target.files?.[0] ?? null);
                preview.reset();
              }}
              aria-describedby={`${ids}-file-help`}
            />
            <p id={`${ids}-file-help`} className="muted help">
              {t('import.fileHelp')}
            </p>
            <label htmlFor={`${ids}-source`}>{t('import.source')}</label>
            <input id={`${ids}-source`} type="text" value={source} onChange={(e) => setSource(e.target.value)} required aria-describedby={`${ids}-source-help`} />
            <p id={`${ids}-source-help`} className="muted help">
              {t('import.sourceHelp')}
            </p>
          </div>
          <div className="actions">
            <button type="submit" className="primary" disabled={!file || preview.isPending}>
              {t('import.preview')}
            </button>
          </div>
        </form>
      )}
      {preview.isPending && <Loading />}
      {preview.isError && <Failure error={preview.error} />}
      {jobId === null && preview.data && file && (
        <PreviewStep
          preview={preview.data}
          corrections={corrections}
          onCorrect={correct}
          canImport={source.trim() !== '' && preview.data.importable && !start.isPending}
          onImport={() => start.mutate({ file, corrections, source: source.trim() })}
          missingSource={source.trim() === ''}
        />
      )}
      {start.isError && <Failure error={start.error} />}
      {jobId !== null && <JobProgress jobId={jobId} onAgain={restart} />}
      <RecentImports />
    </section>
  );
}

function PreviewStep({
  preview,
  corrections,
  onCorrect,
  canImport,
  onImport,
  missingSource,
}: {
  readonly preview: Preview;
  readonly corrections: Corrections;
  readonly onCorrect: (c: Corrections) => void;
  readonly canImport: boolean;
  readonly onImport: () => void;
  readonly missingSource: boolean;
}) {
  const { t } = useTranslation();
  const ids = useId();
  const text = useProblemText();
  const rejected = preview.rows.filter((r) => r.rejected !== null).length;
  return (
    <section className="card wide" aria-labelledby={`${ids}-step2`}>
      <h2 id={`${ids}-step2`}>{t('import.step2')}</h2>
      <div className="filters" role="group" aria-label={t('import.shape')}>
        <span>
          {t('import.format')} <strong>{preview.format.toUpperCase()}</strong>
        </span>
        {preview.format === 'csv' && (
          <>
            <label>
              {t('import.encoding')}{' '}
              <select value={preview.encoding} onChange={(e) => onCorrect({ ...corrections, encoding: e.target.value })}>
                {ENCODINGS.map((enc) => (
                  <option key={enc} value={enc}>
                    {t(`import.encodings.${enc}`)}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {t('import.delimiter')}{' '}
              <select value={preview.delimiter ?? ','} onChange={(e) => onCorrect({ ...corrections, delimiter: e.target.value })}>
                {DELIMITERS.map((d) => (
                  <option key={d} value={d}>
                    {delimiterLabel(t, d)}
                  </option>
                ))}
              </select>
            </label>
          </>
        )}
      </div>
      <p className="muted">{t('import.detected', { encoding: t(`import.encodings.${preview.encoding}`, { defaultValue: preview.encoding }), delimiter: delimiterLabel(t, preview.delimiter) })}</p>
      <div className="table-wrap" role="region" aria-labelledby={`${ids}-sample`} tabIndex={0}>
        <table className="plain-table preview-table">
          <caption id={`${ids}-sample`}>{t('import.sample', { count: preview.rows.length })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('import.colLine')}</th>
              <th scope="col">{t('import.colOutcome')}</th>
              {preview.columns.map((c, i) => (
                <th scope="col" key={`${i}-${c.header}`}>
                  <span className="column-header">{c.header || t('import.noHeader')}</span>
                  <select
                    aria-label={t('import.mapColumn', { header: c.header })}
                    value={corrections.columns[c.header] ?? c.field ?? 'ignore'}
                    className={c.field === null ? 'unmapped' : undefined}
                    onChange={(e) => onCorrect({ ...corrections, columns: { ...corrections.columns, [c.header]: e.target.value } })}
                  >
                    {preview.fields.map((f) => (
                      <option key={f} value={f}>
                        {t(`prospectFields.${f}`, { defaultValue: f })}
                      </option>
                    ))}
                  </select>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {preview.rows.map((r) => (
              <tr key={r.row} className={r.rejected ? 'rejected' : undefined}>
                <td>{r.line}</td>
                <td className="outcome">
                  {r.rejected ? (
                    <strong className="danger-text">{t('import.wouldReject', { reason: text(r.rejected) })}</strong>
                  ) : (
                    <span className="tag tag-ok">{t('import.wouldImport')}</span>
                  )}
                  {r.warnings.map((w, i) => (
                    <div key={i} className="muted small">
                      {t('import.warningOn', { field: t(`prospectFields.${w.field}`, { defaultValue: w.field }), reason: text(w) })}
                    </div>
                  ))}
                </td>
                {r.values.map((v, i) => (
                  <td key={i}>{v}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {!preview.importable && (
        <p className="alert error" role="alert">
          {t('import.notImportable')}
        </p>
      )}
      {rejected > 0 && <p>{t('import.sampleRejected', { count: rejected })}</p>}
      {missingSource && <p className="field-error">{t('import.sourceRequired')}</p>}
      <div className="actions">
        <button type="button" className="primary" onClick={onImport} disabled={!canImport}>
          {t('import.run')}
        </button>
      </div>
    </section>
  );
}

function JobProgress({ jobId, onAgain }: { readonly jobId: string; readonly onAgain: () => void }) {
  const { t } = useTranslation();
  const f = useFormat();
  const job = useQuery({
    queryKey: ['import', jobId],
    queryFn: () => apiGet<ImportJob>(`/api/v1/imports/${encodeURIComponent(jobId)}`),
    refetchInterval: (q) => (q.state.data && (q.state.data.status === 'done' || q.state.data.status === 'failed') ? false : 500),
  });
  const finished = job.data?.status === 'done' || job.data?.status === 'failed';
  const queryClient = useQueryClient();
  // The list of recent imports shows the job's end too.
  useEffect(() => {
    if (finished) void queryClient.invalidateQueries({ queryKey: ['imports'] });
  }, [finished, queryClient]);
  if (job.isError) return <Failure error={job.error} />;
  if (!job.data) return <Loading />;
  const j = job.data;
  if (j.status === 'queued' || j.status === 'running')
    return (
      <section className="card wide" aria-labelledby="import-progress">
        <h2 id="import-progress">{t('import.step3')}</h2>
        <progress aria-labelledby="import-progress" max={j.rowsTotal ?? undefined} value={j.rowsTotal === null ? undefined : j.rowsDone} />
        <p role="status">{j.rowsTotal === null ? t('import.starting') : t('import.progress', { done: f.number(j.rowsDone), total: f.number(j.rowsTotal) })}</p>
      </section>
    );
  if (j.status === 'failed' || !j.report)
    return (
      <section className="card wide" aria-labelledby="import-failed">
        <h2 id="import-failed">{t('import.failed')}</h2>
        <p className="alert error" role="alert">
          {j.error?.message ?? t('import.failed')}
        </p>
        <p className="muted">{t('import.failedNothing')}</p>
        <button type="button" onClick={onAgain}>
          {t('import.again')}
        </button>
      </section>
    );
  return <Report report={j.report} source={j.source} onAgain={onAgain} />;
}

function Report({ report, source, onAgain }: { readonly report: ImportReport; readonly source: string; readonly onAgain: () => void }) {
  const { t } = useTranslation();
  const f = useFormat();
  const text = useProblemText();
  const download = () => {
    const csv = reportCsv(report, text, [t('import.csvKind'), t('import.colRow'), t('import.colLine'), t('import.colField'), t('import.csvCode'), t('import.colReason')]);
    saveFile(new Blob([csv], { type: 'text/csv;charset=utf-8' }), 'rapport-import.csv');
  };
  const facts: [string, number][] = [
    ['rows', report.rows],
    ['imported', report.imported],
    ['created', report.created],
    ['merged', report.merged],
    ['rejectedCount', report.rejected.length],
    ['queuedForReview', report.queuedForReview],
    ['flaggedOpposed', report.flaggedOpposed],
    ['consentsRecorded', report.consentsRecorded],
    ['organisationsCreated', report.organisationsCreated],
    ['notEligible', report.notEligible.length],
  ];
  return (
    <section className="card wide" aria-labelledby="import-report">
      <h2 id="import-report">{t('import.report', { source })}</h2>
      <dl className="facts report-facts">
        {facts.map(([k, v]) => (
          <div key={k}>
            <dt>{t(`import.facts.${k}`)}</dt>
            <dd>{f.number(v)}</dd>
          </div>
        ))}
      </dl>
      {report.queuedForReview > 0 && (
        <p>
          <a href={pageHref('duplicates')}>{t('import.toReview', { count: report.queuedForReview })}</a>
        </p>
      )}
      <ProblemTable title={t('import.rejectedTitle')} empty={t('import.noRejected')} problems={report.rejected} />
      <ProblemTable title={t('import.warningsTitle')} empty={t('import.noWarnings')} problems={report.warnings} />
      {report.notEligible.length > 0 && <ProblemTable title={t('import.notEligibleTitle')} empty="" problems={report.notEligible} />}
      <div className="actions">
        <button type="button" className="primary" onClick={download}>
          {t('import.download')}
        </button>
        <button type="button" onClick={onAgain}>
          {t('import.again')}
        </button>
      </div>
    </section>
  );
}

function ProblemTable({ title, empty, problems }: { readonly title: string; readonly empty: string; readonly problems: readonly Problem[] }) {
  const { t } = useTranslation();
  const ids = useId();
  const text = useProblemText();
  if (problems.length === 0) return <p>{empty}</p>;
  return (
    <div className="table-wrap" role="region" aria-labelledby={ids} tabIndex={0}>
      <table className="plain-table">
        <caption id={ids}>{title}</caption>
        <thead>
          <tr>
            <th scope="col">{t('import.colRow')}</th>
            <th scope="col">{t('import.colLine')}</th>
            <th scope="col">{t('import.colField')}</th>
            <th scope="col">{t('import.colReason')}</th>
          </tr>
        </thead>
        <tbody>
          {problems.map((p, i) => (
            <tr key={i}>
              <td>{p.row ?? '—'}</td>
              <td>{p.line ?? '—'}</td>
              <td>{t(`prospectFields.${p.field}`, { defaultValue: p.field })}</td>
              <td>{text(p)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function RecentImports() {
  const { t } = useTranslation();
  const f = useFormat();
  const list = useQuery({ queryKey: ['imports'], queryFn: () => apiGet<{ items: ImportJob[] }>('/api/v1/imports?limit=10') });
  if (!list.data || list.data.items.length === 0) return null;
  return (
    <section aria-labelledby="recent-imports">
      <h2 id="recent-imports">{t('import.recent')}</h2>
      <div className="table-wrap" role="region" aria-labelledby="recent-imports" tabIndex={0}>
        <table className="plain-table">
          <thead>
            <tr>
              <th scope="col">{t('import.colWhen')}</th>
              <th scope="col">{t('import.source')}</th>
              <th scope="col">{t('import.colStatus')}</th>
              <th scope="col">{t('import.facts.imported')}</th>
              <th scope="col">{t('import.facts.merged')}</th>
            </tr>
          </thead>
          <tbody>
            {list.data.items.map((j) => (
              <tr key={j.id}>
                <td>{f.instant(j.createdAt)}</td>
                <td>{j.source}</td>
                <td>{t(`import.status.${j.status}`)}</td>
                <td>{f.number(j.imported)}</td>
                <td>{f.number(j.merged)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
