import { describe, expect, it } from 'vitest';
import { formatProblems, loadConfig } from './config.js';
import { RempartError } from './errors.js';

const problemsOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    if (e instanceof RempartError) return formatProblems(e);
    throw e;
  }
  throw new Error('expected a CONFIG_INVALID error');
};

describe('configuration: the public URL', () => {
  it('R-PROS-5 defaults to http://HOST:PORT of the server, IPv6 in brackets, and says it is the default', () => {
    const c = loadConfig({ port: '9090', host: '0.0.0.0' }, {});
    expect(c.publicUrl).toBe('http://0.0.0.0:9090');
    expect(c.publicUrlIsDefault).toBe(true);
    expect(loadConfig({ port: 8081, host: '::1' }, {}).publicUrl).toBe('http://[::1]:8081');
  });

  it('R-PROS-5 the flag wins over REMPART_PUBLIC_URL, which wins over the default; a trailing slash is dropped', () => {
    expect(loadConfig({ publicUrl: 'https://crm.example.fr/' }, { REMPART_PUBLIC_URL: 'https://other.example' }).publicUrl).toBe('https://crm.example.fr');
    const fromEnv = loadConfig({}, { REMPART_PUBLIC_URL: 'https://crm.example.fr/rempart' });
    expect(fromEnv.publicUrl).toBe('https://crm.example.fr/rempart');
    expect(fromEnv.publicUrlIsDefault).toBe(false);
  });

  it('R-PROS-5 refuses a public URL that is not http(s), with the field named, among the other problems', () => {
    const text = problemsOf(() => loadConfig({ publicUrl: 'ftp://crm.example.fr', port: 'x' }, {}));
    expect(text).toContain('The configuration has 2 problem(s).');
    expect(text).toContain('--public-url / REMPART_PUBLIC_URL: must be an http:// or https:// URL');
    expect(text).toContain('got "ftp://crm.example.fr"');
    expect(problemsOf(() => loadConfig({}, { REMPART_PUBLIC_URL: 'crm.example.fr' }))).toContain('--public-url / REMPART_PUBLIC_URL');
    expect(problemsOf(() => loadConfig({ publicUrl: 'https://crm.example.fr/?x=1' }, {}))).toContain('without query');
  });

  it('R-PROS-5 never echoes a public URL that carries credentials', () => {
    const text = problemsOf(() => loadConfig({ publicUrl: 'https://user:s3cret@crm.example.fr' }, {}));
    expect(text).toContain('--public-url / REMPART_PUBLIC_URL');
    expect(text).not.toContain('s3cret');
  });
});

