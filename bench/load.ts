/**
 * The socket load generator: concurrent `fetch` loops (Node's built-in undici client,
 * keep-alive connections) against apps listening on 127.0.0.1. It runs in a process of
 * its own, so the client's CPU time is not taken from the server's event loop (it still
 * shares the machine's cores with it and with the database).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { summarise, type Timings } from './harness.js';

/** One server to load. */
export interface LoadTarget {
  readonly name: string;
  /** Base URL, e.g. http://127.0.0.1:PORT/api/v1/people/ (the id is appended). */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** What the load child is asked to do. */
export interface LoadSpec {
  readonly targets: readonly LoadTarget[];
  /** Ids requested in this order, cycling: the same for every target. */
  readonly ids: readonly string[];
  readonly concurrency: number;
  /** Requests per timed round. */
  readonly requests: number;
  /** Untimed requests per target before the first round. */
  readonly warmup: number;
  /** Timed rounds per target; targets alternate (ABBA…) so drift hits both alike. */
  readonly rounds: number;
}

/** Wall time of each timed round, per target. */
export type LoadResult = Readonly<Record<string, Timings>>;

const LOAD_PREFIX = '@@load-result ';
const SCRIPT = fileURLToPath(import.meta.url);

/** Sends `count` requests from `concurrency` loops; resolves with the wall time in ms. */
async function blast(target: LoadTarget, ids: readonly string[], start: number, count: number, concurrency: number): Promise<number> {
  let next = 0;
  const loop = async (): Promise<void> => {
    for (let i = next++; i < count; i = next++) {
      const id = ids[(start + i) % ids.length] ?? '';
      const res = await fetch(target.url + id, { headers: target.headers });
      const body = await res.text();
      if (res.status !== 200) throw new Error(`${target.name} answered ${res.status}: ${body.slice(0, 160)}`);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, loop));
  return performance.now() - t0;
}

async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  for (const t of spec.targets) await blast(t, spec.ids, 0, spec.warmup, spec.concurrency);
  const samples = new Map<string, number[]>(spec.targets.map((t) => [t.name, []]));
  for (let r = 0; r < spec.rounds; r++) {
    const order = r % 2 === 0 ? spec.targets : [...spec.targets].reverse();
    for (const t of order) {
      // Each round starts further along the ids, the same for every target.
      samples.get(t.name)?.push(await blast(t, spec.ids, spec.warmup + r * spec.requests, spec.requests, spec.concurrency));
    }
  }
  return Object.fromEntries([...samples].map(([name, s]) => [name, summarise(s)]));
}

/** Runs the load in a child process (same loader flags) and resolves with its timings. */
export function loadInChild(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, SCRIPT, '--load'], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith(LOAD_PREFIX));
      if (code !== 0 || line === undefined) reject(new Error(`the load generator failed (exit code ${code})`));
      else resolve(JSON.parse(line.slice(LOAD_PREFIX.length)) as LoadResult);
    });
    // The spec (ids included) goes through stdin: too long for a command line at full size.
    child.stdin.end(JSON.stringify(spec));
  });
}

async function readStdin(): Promise<string> {
  let text = '';
  process.stdin.setEncoding('utf8');
  for await (const chunk of process.stdin) text += String(chunk);
  return text;
}

if (process.argv[1] === SCRIPT && process.argv.includes('--load')) {
  readStdin()
    .then((text) => runLoad(JSON.parse(text) as LoadSpec))
    .then((result) => process.stdout.write(`${LOAD_PREFIX}${JSON.stringify(result)}\n`))
    .catch((e: unknown) => {
      console.error(e instanceof Error ? (e.stack ?? e.message) : e);
      process.exitCode = 1;
    });
}
