import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines.js';
import { createToken } from '../access/auth/index.js';
import { buildApp } from '../app.js';
import { loadPolicy } from '../policy/index.js';
import { checkFileName } from './file-names.js';

describe('file names', () => {
  it.each(['../../etc/passwd', '..', '..\\boot.ini', 'a/b.csv', '/etc/passwd', 'C:evil.csv', 'nul\u0000.csv', 'line\nbreak.csv', '', 'x'.repeat(201)])('Art. 32 refuses %j', (name) => {
    expect(() => checkFileName(name, 'fileName')).toThrow(/bare name/);
  });
  it('Art. 32 accepts bare names', () => {
    for (const name of ['transfer-2026-12-07.csv', 'Prospects salon (2025).xlsx', 'données.csv', '.csv']) expect(checkFileName(name, 'fileName')).toBe(name);
  });
});

describeEachEngine('upload file names', (store) => {
  let app: Awaited<ReturnType<typeof buildApp>>;
  let auth: Record<string, string> = {};
  const dataDir = mkdtempSync(join(tmpdir(), 'rempart-names-'));

  beforeAll(async () => {
    const policy = await loadPolicy('policies/certilience.yaml');
    app = await buildApp({ store: store(), policy, dataDir });
    auth = { authorization: `Bearer ${(await createToken(store().db, policy, { role: 'prospecting', name: 'names' })).token}` };
  });
  afterAll(async () => {
    await app.close();
  });

  it('Art. 32 an upload named to climb out of its folder is stored under an id, inside uploads/imports only', async () => {
    const boundary = '----names';
    const body = (filename: string) =>
      Buffer.from(
        `--${boundary}\r\ncontent-disposition: form-data; name="source"\r\n\r\nSalon\r\n` +
          `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="${filename}"\r\ncontent-type: text/csv\r\n\r\nnom;email\nA;a@exemple.fr\n\r\n--${boundary}--\r\n`,
      );
    const headers = { ...auth, 'content-type': `multipart/form-data; boundary=${boundary}` };
    // The multipart parser keeps only the last segment of a name; the route then checks
    // what is left and names its files by id, never by the client's name.
    for (const name of ['../../../evil.csv', '..\\..\\evil.csv']) {
      const res = await app.inject({ method: 'POST', url: '/api/v1/imports', headers, payload: body(name) });
      expect([202, 400], res.body).toContain(res.statusCode);
    }
    expect(readdirSync(dataDir).filter((n) => n !== 'uploads' && n !== 'outbox' && n !== 'policy-versions')).toEqual([]);
    expect(readdirSync(join(dataDir, 'uploads'))).toEqual(['imports']);
    await new Promise((r) => setTimeout(r, 300));
    for (const n of readdirSync(join(dataDir, 'uploads', 'imports'))) expect(n).toMatch(/^[0-9a-f-]{36}\.(upload|mapping)$/);
  });
});
