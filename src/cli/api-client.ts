import { Option, type Command } from 'commander';
import { ERROR_STATUS, RempartError, type ErrorCode } from '../errors.js';

/** `--api URL --token TOKEN`: run the command through a running server instead of opening the store. */
export interface ApiFlags {
  readonly api?: string;
  readonly token?: string;
}

/** Where and as whom to call the API. */
export interface ApiTarget {
  readonly base: string;
  readonly token: string;
}

/** Adds --api and --token (env REMPART_API_URL, REMPART_API_TOKEN) to a command. */
export function withApiOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--api <url>', "run through a running server's HTTP API instead of opening the database (env REMPART_API_URL)"))
    .addOption(new Option('--token <token>', 'the API token (rmp_…) to call it with (env REMPART_API_TOKEN)'));
}

/** The API target of the flags (or environment), or null to open the store as usual. */
export function apiTarget(flags: ApiFlags, env: NodeJS.ProcessEnv = process.env): ApiTarget | null {
  const api = flags.api ?? env.REMPART_API_URL;
  if (api === undefined || api === '') return null;
  let url: URL;
  try {
    url = new URL(api);
  } catch {
    throw new RempartError('VALIDATION_FAILED', `--api "${api}" is not a URL.`, { details: [{ field: '--api', message: 'the server address, e.g. http://127.0.0.1:8080' }] });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new RempartError('VALIDATION_FAILED', '--api must be an http or https URL.', { details: [{ field: '--api', message: 'e.g. http://127.0.0.1:8080' }] });
  }
  const token = flags.token ?? env.REMPART_API_TOKEN;
  if (token === undefined || !token.startsWith('rmp_')) {
    throw new RempartError('VALIDATION_FAILED', '--api needs --token with an API token (rmp_…), from `rempart token create`.', { details: [{ field: '--token', message: 'an API token rmp_…' }] });
  }
  return { base: url.toString().replace(/\/$/, ''), token };
}

function codeOf(value: unknown, status: number): ErrorCode {
  if (typeof value === 'string' && value in ERROR_STATUS) return value as ErrorCode;
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 409) return 'CONFLICT';
  return status >= 500 ? 'INTERNAL' : 'VALIDATION_FAILED';
}

/**
 * Calls `/api/v1<path>` on the target with the token and returns its JSON; an error
 * answer becomes the server's own RempartError (code and message), so the command
 * prints what the server said.
 */
export async function callApi<T>(target: ApiTarget, method: 'GET' | 'POST', path: string, query: Readonly<Record<string, string | undefined>> = {}): Promise<T> {
  const url = new URL(`${target.base}/api/v1${path}`);
  for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v);
  let res: Response;
  try {
    res = await fetch(url, { method, headers: { authorization: `Bearer ${target.token}`, accept: 'application/json' } });
  } catch (e) {
    throw new RempartError('STORE_LOCKED', `No server answers at ${target.base}: is \`rempart serve\` running there?`, { cause: e });
  }
  const body = (await res.json().catch(() => null)) as { error?: { code?: unknown; message?: unknown } } | null;
  if (!res.ok) {
    const message = typeof body?.error?.message === 'string' ? body.error.message : `The server answered ${res.status}.`;
    throw new RempartError(codeOf(body?.error?.code, res.status), `${target.base}: ${message}`);
  }
  return body as T;
}
