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
import type { Delivery, DestroyedCounts } from './tables.js';
import { checkPackage } from './package-check.js';
import { checkUploadUrl, uploadPackage, type UploadTarget } from './delivery.js';

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
export type CrashPoint = 'after-package' | 'after-upload' | 'after-destroy';

/** How to close: where the package is written, and how it reaches the client. */
export interface CloseOptions {
  /** Where the package is written (a .zip path). */
  readonly out: string;
  /** Upload the package to the client's URL before destroying anything. */
  readonly upload?: UploadTarget;
  /** Without an upload: `file` (the CLI's --out, the default) or `download` (served once by the API). */
  readonly delivery?: Exclude<Delivery, 'upload'>;
  readonly crashAt?: CrashPoint;
}

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
 * Closes an engagement (P4.3; Art. 28(3)(g)): 1. the restitution package, complete, every
 * entry checked against the manifest's SHA-256 and the archive's checksum journalled;
 * 1b. with an upload, the package delivered to the client's URL (a 2xx answer); 2. then,
 * and only then, every row of the engagement destroyed in one transaction (after checking
 * again, on a resumed close, that the package is there and every entry still matches, and
 * that no row arrived since); 3. then the signed destruction certificate. Each step is
 * journalled in `training_closures`, so a crash resumes at the step it stopped at, and a
 * close of a closed engagement is a no-op answering the same certificate.
 */
export async function closeEngagement(deps: TrainingDeps, session: GateSession, id: string, options: CloseOptions): Promise<CloseOutcome> {
  await authorise(session, 'delete', RESOURCE.trainees);
  let row = await engagementFor(session, deps.db, id);
  if (session.actor.scopeOrganisationId !== null) throw new RempartError('FORBIDDEN', 'A client contact may not close an engagement; ask CERTILIENCE.');
  let closure = await deps.db.selectFrom('trainingClosures').selectAll().where('engagementId', '=', id).executeTakeFirst();
  if (closure?.state === 'certified' && closure.certificate && closure.certificatePath) {
    if (!existsSync(closure.certificatePath)) await writeFile(closure.certificatePath, `${JSON.stringify(closure.certificate, null, 2)}\n`);
    return { packagePath: closure.packagePath, packageSha256: closure.packageSha256, certificatePath: closure.certificatePath, certificate: closure.certificate as unknown as SignedCertificate, performed: false };
  }
  if (!/\.zip$/i.test(options.out)) throw new RempartError('VALIDATION_FAILED', 'The package must be a .zip file.', { details: [{ field: '--out', message: 'must end in .zip' }] });
  // The delivery chosen at the first attempt is journalled and holds on a resumed close.
  const delivery: Delivery = closure?.delivery ?? (options.upload ? 'upload' : (options.delivery ?? 'file'));
  const uploadTo = closure?.deliveredTo ?? options.upload?.url ?? null;
  if (delivery === 'upload') {
    if (uploadTo === null) throw new RempartError('VALIDATION_FAILED', "An upload needs the client's URL.", { details: [{ field: 'uploadUrl', message: 'required' }] });
    checkUploadUrl(uploadTo);
  }
  const now = deps.now;

  if (closure?.state !== 'destroyed') {
    // Step 1 on a resumed close: the journalled package counts only if every entry still matches.
    let verified = false;
    if (closure && existsSync(closure.packagePath)) {
      const check = await checkPackage(closure.packagePath);
      verified = check.ok && check.sha256 === closure.packageSha256;
    }
    for (let attempt = 0; ; attempt++) {
      if (!closure || !verified) {
        const path = closure?.packagePath ?? options.out;
        const built = await buildPackage(deps, session, row, path);
        // Nothing is destroyed on the strength of a package that does not read back whole.
        const check = await checkPackage(path);
        if (!check.ok || check.sha256 !== built.sha256) {
          throw new RempartError('INTERNAL', `The restitution package does not verify (${check.ok ? 'its checksum changed while it was checked' : check.reason}); nothing was destroyed.`);
        }
        const values = {
          state: 'packaged' as const,
          packagePath: path,
          packageSha256: built.sha256,
          packageBytes: built.bytes,
          counts: JSON.stringify(built.counts),
          closedBy: session.actor.id,
          updatedAt: now(),
          delivery,
          deliveredTo: delivery === 'upload' ? uploadTo : null,
          // A new package must be delivered again.
          deliveredAt: null,
        };
        closure = await deps.db
          .insertInto('trainingClosures')
          .values({ engagementId: id, ...values })
          .onConflict((oc) => oc.column('engagementId').doUpdateSet(values))
          .returningAll()
          .executeTakeFirstOrThrow();
        if (options.crashAt === 'after-package') throw new RempartError('INTERNAL', 'Simulated crash after the package (test hook).');
      }
      // Step 1b: an upload is acknowledged before anything is destroyed.
      if (delivery === 'upload' && closure.deliveredAt === null && uploadTo !== null) {
        await uploadPackage(closure.packagePath, closure.packageSha256, Number(closure.packageBytes), { ...options.upload, url: uploadTo });
        closure = await deps.db.updateTable('trainingClosures').set({ deliveredAt: now(), updatedAt: now() }).where('engagementId', '=', id).returningAll().executeTakeFirstOrThrow();
        if (options.crashAt === 'after-upload') throw new RempartError('INTERNAL', 'Simulated crash after the upload (test hook).');
      }
      // Step 2: destroy, but only what the package holds: if anything arrived since, package again.
      const c = closure;
      const destroyed = await deps.db.transaction().execute(async (tx) => {
        // The platforms' writes take the engagement FOR SHARE: none lands between this count and the deletes.
        await tx.selectFrom('trainingEngagements').select('id').where('id', '=', id).forUpdate().execute();
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
      verified = false; // forces a new package at the same path
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
    delivery: { method: closure.delivery ?? 'file', to: closure.deliveredTo, at: closure.deliveredAt ? closure.deliveredAt.toISOString() : null },
    destroyedAt: (closure.destroyedAt ?? now()).toISOString(),
    destroyedBy: closure.closedBy,
  });
  const certificatePath = certificatePathOf(closure.packagePath);
  await writeFile(certificatePath, `${JSON.stringify(signed, null, 2)}\n`);
  await stat(certificatePath);
  await deps.db.updateTable('trainingClosures').set({ state: 'certified', certificate: JSON.stringify(signed), certificatePath, updatedAt: now() }).where('engagementId', '=', id).execute();
  return { packagePath: closure.packagePath, packageSha256: closure.packageSha256, certificatePath, certificate: signed, performed: true };
}

/**
 * The one download of a package delivered by the API (issue 19 item 8): claimed
 * atomically, so two requests never both get it; a second is refused. Answers the path,
 * or throws CONFLICT when it was already downloaded, NOT_FOUND when there is none.
 */
export async function claimDownload(deps: TrainingDeps, id: string): Promise<{ readonly path: string; readonly sha256: string; readonly release: () => Promise<void> }> {
  const closure = await deps.db.selectFrom('trainingClosures').select(['packagePath', 'packageSha256', 'delivery', 'deliveredAt', 'state']).where('engagementId', '=', id).executeTakeFirst();
  if (!closure || closure.state !== 'certified') throw new RempartError('NOT_FOUND', 'No package for this engagement; close it first.', { details: [{ field: 'id', message: 'not closed' }] });
  if (closure.delivery !== 'download') {
    throw new RempartError('CONFLICT', `This engagement's package was delivered ${closure.delivery === 'upload' ? "to the client's URL" : 'as a file'}; it is not served here.`, { details: [{ field: 'id', message: `delivered by ${closure.delivery ?? 'file'}` }] });
  }
  const claimed = await deps.db.updateTable('trainingClosures').set({ deliveredAt: deps.now() }).where('engagementId', '=', id).where('deliveredAt', 'is', null).returning('packagePath').executeTakeFirst();
  if (!claimed || !existsSync(closure.packagePath)) {
    throw new RempartError('CONFLICT', 'The package was already downloaded once and is no longer kept; its checksum is in the destruction certificate.', { details: [{ field: 'id', message: 'already downloaded' }] });
  }
  return {
    path: closure.packagePath,
    sha256: closure.packageSha256,
    // A download that broke off may be tried again.
    release: async () => void (await deps.db.updateTable('trainingClosures').set({ deliveredAt: null }).where('engagementId', '=', id).execute()),
  };
}
