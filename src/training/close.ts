import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { rename, writeFile, stat } from 'node:fs/promises';
import { Zip, ZipDeflate } from 'fflate';
import type { Kysely } from 'kysely';
import type { GateSession } from '../access/gate.js';
import type { Database } from '../db/schema.js';
import { RempartError } from '../errors.js';
import { authorise, engagementFor, RESOURCE, type EngagementRow, type TrainingDeps } from './context.js';
import { signCertificate, type SignedCertificate } from './certificate.js';
import { presentEngagement } from './engagements.js';
import { engagementReport, reportCsv } from './report.js';
import type { DestroyedCounts } from './tables.js';

/** What a close answers: the same on every call once it is done. */
export interface CloseOutcome {
  readonly packagePath: string;
  readonly packageSha256: string;
  readonly certificatePath: string;
  readonly certificate: SignedCertificate;
  /** False when the engagement was already closed and nothing was done. */
  readonly performed: boolean;
}

/** Test hook: stop (as a crash would) right after a step. */
export type CrashPoint = 'after-package' | 'after-destroy';

const PAGE = 5000;
const enc = new TextEncoder();

async function sha256File(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

const csvCell = (v: unknown): string => {
  const s = v === null || v === undefined ? '' : v instanceof Date ? v.toISOString() : String(v);
  const safe = /^[=+\-@]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) || safe !== s ? `"${safe.replace(/"/g, '""')}"` : safe;
};

/** A ZIP written to a file as it is produced, every entry's SHA-256 computed on the way (memory stays flat). */
class StreamedZip {
  readonly #out: WriteStream;
  readonly #zip: Zip;
  readonly #done: Promise<void>;
  readonly files: { name: string; sha256: string; bytes: number }[] = [];
  #failed: Error | null = null;

  constructor(path: string) {
    this.#out = createWriteStream(path);
    let finish: () => void = () => undefined;
    let fail: (e: Error) => void = () => undefined;
    this.#done = new Promise<void>((res, rej) => {
      finish = res;
      fail = rej;
    });
    this.#out.on('error', (e) => {
      this.#failed = e;
      fail(e);
    });
    this.#zip = new Zip((err, chunk, final) => {
      if (err) {
        this.#failed = err;
        return fail(err);
      }
      this.#out.write(chunk);
      if (final) this.#out.end(() => finish());
    });
  }

  /** Adds one file from an async source of text pieces. */
  async add(name: string, pieces: AsyncIterable<string> | Iterable<string>): Promise<void> {
    const entry = new ZipDeflate(name, { level: 6 });
    this.#zip.add(entry);
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const piece of pieces) {
      if (this.#failed) throw this.#failed;
      const data = enc.encode(piece);
      hash.update(data);
      bytes += data.length;
      entry.push(data, false);
      // Backpressure: wait for the file to drain before producing more.
      if (this.#out.writableNeedDrain) await new Promise<void>((r) => this.#out.once('drain', () => r()));
    }
    entry.push(new Uint8Array(0), true);
    this.files.push({ name, sha256: hash.digest('hex'), bytes });
  }

  async end(): Promise<void> {
    this.#zip.end();
    await this.#done;
  }
}

async function* pages<T>(fetch: (after: string | null) => Promise<T[]>, key: (row: T) => string): AsyncGenerator<T> {
  let after: string | null = null;
  for (;;) {
    const rows = await fetch(after);
    for (const r of rows) yield r;
    if (rows.length < PAGE) return;
    after = key(rows[rows.length - 1] as T);
  }
}

function traineeRows(db: Kysely<Database>, id: string) {
  return pages(
    (after) => {
      let q = db.selectFrom('trainingTrainees').select(['id', 'email', 'firstName', 'lastName', 'department', 'jobTitle']).where('engagementId', '=', id);
      if (after !== null) q = q.where('id', '>', after);
      return q.orderBy('id').limit(PAGE).execute();
    },
    (r) => r.id,
  );
}

function eventRows(db: Kysely<Database>, id: string) {
  return pages(
    (after) => {
      let q = db
        .selectFrom('trainingPhishingEvents as e')
        .innerJoin('trainingCampaigns as c', 'c.id', 'e.campaignId')
        .innerJoin('trainingTrainees as t', 't.id', 'e.traineeId')
        .select(['e.id', 'c.gophishCampaignId as campaign', 'e.traineeId', 't.email', 'e.kind', 'e.occurredAt', 'e.receivedAt'])
        .where('e.engagementId', '=', id);
      if (after !== null) q = q.where('e.id', '>', after);
      return q.orderBy('e.id').limit(PAGE).execute();
    },
    (r) => r.id,
  );
}

function statementRows(db: Kysely<Database>, id: string) {
  return pages(
    (after) => {
      let q = db.selectFrom('trainingStatements').select(['id', 'raw']).where('engagementId', '=', id);
      if (after !== null) q = q.where('id', '>', after);
      return q.orderBy('id').limit(PAGE).execute();
    },
    (r) => r.id,
  );
}

async function* jsonArray<T>(rows: AsyncIterable<T>, show: (r: T) => string): AsyncGenerator<string> {
  yield '[';
  let first = true;
  for await (const r of rows) {
    yield `${first ? '\n' : ',\n'}${show(r)}`;
    first = false;
  }
  yield '\n]\n';
}

async function* csv<T>(header: readonly string[], rows: AsyncIterable<T>, cells: (r: T) => readonly unknown[]): AsyncGenerator<string> {
  yield `${header.join(',')}\r\n`;
  for await (const r of rows) yield `${cells(r).map(csvCell).join(',')}\r\n`;
}

async function countsOf(db: Kysely<Database>, id: string): Promise<DestroyedCounts> {
  const n = async (table: 'trainingTrainees' | 'trainingCampaigns' | 'trainingPhishingEvents' | 'trainingStatements') =>
    Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).where('engagementId', '=', id).executeTakeFirstOrThrow()).n);
  return { trainees: await n('trainingTrainees'), campaigns: await n('trainingCampaigns'), phishingEvents: await n('trainingPhishingEvents'), statements: await n('trainingStatements') };
}

/**
 * Writes the restitution package (Art. 28(3)(g)): every trainee, event and result of the
 * engagement as JSON and CSV, the xAPI statements exactly as received, the report, and a
 * manifest of SHA-256 checksums; streamed page by page. Written beside the target and
 * renamed when complete, so a crash never leaves a partial package under its name.
 * With the "destroy" end choice nothing personal is returned: the package then holds only
 * the engagement and the counts.
 */
async function buildPackage(deps: TrainingDeps, session: GateSession, row: EngagementRow, out: string): Promise<{ sha256: string; bytes: number; counts: DestroyedCounts }> {
  const db = deps.db;
  const counts = await countsOf(db, row.id);
  const tmp = `${out}.partial`;
  const zip = new StreamedZip(tmp);
  await zip.add('engagement.json', [`${JSON.stringify({ ...presentEngagement(row), counts }, null, 2)}\n`]);
  if (row.endChoice === 'return_then_destroy') {
    const t = ['id', 'email', 'firstName', 'lastName', 'department', 'jobTitle'] as const;
    await zip.add('trainees.json', jsonArray(traineeRows(db, row.id), (r) => JSON.stringify(r)));
    await zip.add('trainees.csv', csv(t, traineeRows(db, row.id), (r) => t.map((k) => r[k])));
    const show = (r: { id: string; campaign: string | number; traineeId: string; email: string; kind: string; occurredAt: Date; receivedAt: Date }) => ({ ...r, campaign: Number(r.campaign) });
    await zip.add('phishing-events.json', jsonArray(eventRows(db, row.id), (r) => JSON.stringify(show(r))));
    await zip.add('phishing-events.csv', csv(['id', 'campaign', 'traineeId', 'email', 'kind', 'occurredAt', 'receivedAt'], eventRows(db, row.id), (r) => [r.id, Number(r.campaign), r.traineeId, r.email, r.kind, r.occurredAt, r.receivedAt]));
    // The statements exactly as the e-learning platform sent them (each one's own text).
    await zip.add('xapi-statements.json', jsonArray(statementRows(db, row.id), (r) => r.raw));
    const report = await engagementReport(deps, session, row.id);
    await zip.add('report.json', [`${JSON.stringify(report, null, 2)}\n`]);
    await zip.add('report.csv', [reportCsv(report)]);
  }
  await zip.add('manifest.json', [`${JSON.stringify({ kind: 'rempart.training.restitution', engagementId: row.id, generatedAt: deps.now().toISOString(), counts, files: [...zip.files] }, null, 2)}\n`]);
  await zip.end();
  await rename(tmp, out);
  const { sha256, bytes } = await sha256File(out);
  await session.recordAccess('export', RESOURCE.trainees, 'training', [row.id], ['email', 'first_name', 'last_name', 'department', 'job_title', 'statement']);
  return { sha256, bytes, counts };
}

const certificatePathOf = (packagePath: string): string => packagePath.replace(/\.zip$/i, '') + '.certificate.json';

/**
 * Closes an engagement (P4.3; Art. 28(3)(g)): 1. the restitution package, complete and
 * its checksum recorded; 2. then, and only then, every row of the engagement destroyed
 * in one transaction (after checking the package is still there, unchanged, and that no
 * row arrived since); 3. then the signed destruction certificate. Each step is journalled
 * in `training_closures`, so a crash resumes at the step it stopped at, and a close of a
 * closed engagement is a no-op answering the same certificate.
 */
export async function closeEngagement(deps: TrainingDeps, session: GateSession, id: string, options: { readonly out: string; readonly crashAt?: CrashPoint }): Promise<CloseOutcome> {
  await authorise(session, 'delete', RESOURCE.trainees);
  let row = await engagementFor(session, deps.db, id);
  if (session.actor.scopeOrganisationId !== null) throw new RempartError('FORBIDDEN', 'A client contact may not close an engagement; ask CERTILIENCE.');
  let closure = await deps.db.selectFrom('trainingClosures').selectAll().where('engagementId', '=', id).executeTakeFirst();
  if (closure?.state === 'certified' && closure.certificate && closure.certificatePath) {
    if (!existsSync(closure.certificatePath)) await writeFile(closure.certificatePath, `${JSON.stringify(closure.certificate, null, 2)}\n`);
    return { packagePath: closure.packagePath, packageSha256: closure.packageSha256, certificatePath: closure.certificatePath, certificate: closure.certificate as unknown as SignedCertificate, performed: false };
  }
  if (!/\.zip$/i.test(options.out)) throw new RempartError('VALIDATION_FAILED', 'The package must be a .zip file.', { details: [{ field: '--out', message: 'must end in .zip' }] });
  const now = deps.now;

  // Step 1: the package, unless one is journalled and still intact on disk.
  const intact = async (): Promise<boolean> => {
    if (!closure || !existsSync(closure.packagePath)) return false;
    return (await sha256File(closure.packagePath)).sha256 === closure.packageSha256;
  };
  if (closure?.state !== 'destroyed') {
    for (let attempt = 0; ; attempt++) {
      if (!closure || !(await intact())) {
        const path = closure?.packagePath ?? options.out;
        const built = await buildPackage(deps, session, row, path);
        const values = { state: 'packaged' as const, packagePath: path, packageSha256: built.sha256, packageBytes: built.bytes, counts: JSON.stringify(built.counts), closedBy: session.actor.id, updatedAt: now() };
        closure = await deps.db
          .insertInto('trainingClosures')
          .values({ engagementId: id, ...values })
          .onConflict((oc) => oc.column('engagementId').doUpdateSet(values))
          .returningAll()
          .executeTakeFirstOrThrow();
        if (options.crashAt === 'after-package') throw new RempartError('INTERNAL', 'Simulated crash after the package (test hook).');
      }
      // Step 2: destroy, but only what the package holds: if anything arrived since, package again.
      const c = closure;
      const destroyed = await deps.db.transaction().execute(async (tx) => {
        const current = await countsOf(tx, id);
        const same = (Object.keys(current) as (keyof DestroyedCounts)[]).every((k) => current[k] === Number(c.counts[k]));
        if (!same) return false;
        const ids = (await tx.selectFrom('trainingTrainees').select('id').where('engagementId', '=', id).execute()).map((r) => r.id);
        await tx.deleteFrom('trainingStatements').where('engagementId', '=', id).execute();
        await tx.deleteFrom('trainingPhishingEvents').where('engagementId', '=', id).execute();
        await tx.deleteFrom('trainingCampaigns').where('engagementId', '=', id).execute();
        await tx.deleteFrom('trainingTrainees').where('engagementId', '=', id).execute();
        await tx.updateTable('trainingEngagements').set({ status: 'closed', closedAt: now() }).where('id', '=', id).execute();
        await tx.updateTable('trainingClosures').set({ state: 'destroyed', destroyedAt: now(), updatedAt: now() }).where('engagementId', '=', id).execute();
        await session.recordWrite(tx, 'delete', RESOURCE.trainees, 'training', [id, ...ids], ['email', 'first_name', 'last_name', 'department', 'job_title', 'statement']);
        return true;
      });
      if (destroyed) break;
      if (attempt >= 3) throw new RempartError('CONFLICT', 'Results keep arriving for this engagement; stop the platforms, then close again.', { details: [{ field: 'id', message: 'still receiving' }] });
      closure = { ...c, packageSha256: '' }; // forces a new package at the same path
    }
    if (options.crashAt === 'after-destroy') throw new RempartError('INTERNAL', 'Simulated crash after the destruction (test hook).');
  }

  // Step 3: the certificate, from journalled values only, so a resumed close signs the same one.
  closure = await deps.db.selectFrom('trainingClosures').selectAll().where('engagementId', '=', id).executeTakeFirstOrThrow();
  row = await deps.db.selectFrom('trainingEngagements').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const signed = signCertificate(deps.serverKey, {
    kind: 'rempart.training.destruction-certificate',
    version: 1,
    engagementId: id,
    clientOrganisationId: row.clientOrganisationId,
    engagementName: row.name,
    endChoice: row.endChoice,
    destroyed: { ...closure.counts },
    package: { sha256: closure.packageSha256, bytes: Number(closure.packageBytes) },
    destroyedAt: (closure.destroyedAt ?? now()).toISOString(),
    destroyedBy: closure.closedBy,
  });
  const certificatePath = certificatePathOf(closure.packagePath);
  await writeFile(certificatePath, `${JSON.stringify(signed, null, 2)}\n`);
  await stat(certificatePath);
  await deps.db.updateTable('trainingClosures').set({ state: 'certified', certificate: JSON.stringify(signed), certificatePath, updatedAt: now() }).where('engagementId', '=', id).execute();
  return { packagePath: closure.packagePath, packageSha256: closure.packageSha256, certificatePath, certificate: signed, performed: true };
}
