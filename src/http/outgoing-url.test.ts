import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines.js';
import { createToken } from '../access/auth/index.js';
import { buildApp } from '../app.js';
import { addPartner } from '../consent/partners.js';
import { loadConfig } from '../config.js';
import { loadPolicy } from '../policy/index.js';
import { checkPushUrl } from '../rights/export/push.js';
import { checkOutgoingUrl, configureOutgoingUrls, isForbiddenAddress } from './outgoing-url.js';

const INTERNAL = [
  'http://127.0.0.1:5432/',
  'http://127.1/',
  'http://2130706433/', // 127.0.0.1 as one number
  'http://0x7f000001/',
  'http://localhost/hook',
  'http://api.localhost/',
  'http://[::1]/',
  'http://[::ffff:127.0.0.1]/',
  'http://0.0.0.0/',
  'http://10.1.2.3/',
  'http://172.20.0.1/',
  'http://192.168.1.1/',
  'http://169.254.169.254/latest/meta-data/', // cloud metadata
  'http://100.64.0.1/',
  'http://[fd00::1]/',
  'http://[fe80::1]/',
  'http://224.0.0.1/',
];

describe('outgoing URLs (SSRF)', () => {
  it.each(INTERNAL)('Art. 32 refuses %s', (url) => {
    expect(() => checkOutgoingUrl(url, 'webhookUrl', [])).toThrow(/loopback, private or reserved/);
  });

  it('Art. 32 accepts public hosts, and private ranges only when allowed', () => {
    expect(checkOutgoingUrl('https://partner.example/hook', 'webhookUrl', []).hostname).toBe('partner.example');
    expect(checkOutgoingUrl('https://93.184.215.14/hook', 'webhookUrl', []).hostname).toBe('93.184.215.14');
    expect(() => checkOutgoingUrl('ftp://partner.example/', 'webhookUrl', [])).toThrow(/http/);
    expect(() => checkOutgoingUrl('https://u:p@partner.example/', 'webhookUrl', [])).toThrow(/credentials/);
    expect(checkOutgoingUrl('http://127.0.0.1:9000/', 'webhookUrl', ['loopback']).port).toBe('9000');
    expect(checkOutgoingUrl('http://localhost:9000/', 'webhookUrl', ['loopback']).port).toBe('9000');
    expect(checkOutgoingUrl('http://10.1.2.3/', 'webhookUrl', ['10.1.0.0/16']).hostname).toBe('10.1.2.3');
    expect(() => checkOutgoingUrl('http://10.2.0.1/', 'webhookUrl', ['10.1.0.0/16'])).toThrow();
    expect(() => checkOutgoingUrl('http://169.254.169.254/', 'webhookUrl', ['private'])).toThrow();
    expect(isForbiddenAddress('8.8.8.8', [])).toBe(false);
  });

  it('Art. 32 REMPART_ALLOW_PRIVATE_URLS is checked at start', () => {
    expect(loadConfig({}, {}).allowPrivateUrls).toEqual([]);
    expect(loadConfig({}, { REMPART_ALLOW_PRIVATE_URLS: 'loopback, 10.0.0.0/8' }).allowPrivateUrls).toEqual(['loopback', '10.0.0.0/8']);
    expect(() => loadConfig({}, { REMPART_ALLOW_PRIVATE_URLS: 'intranet.local' })).toThrow(/problem/);
  });

  it('P5.5 a portability push to loopback or a private range is refused by default', () => {
    configureOutgoingUrls([]);
    expect(() => checkPushUrl('http://127.0.0.1:8080/import')).toThrow(/loopback, private or reserved/);
    expect(() => checkPushUrl('https://10.0.0.5/import')).toThrow(/loopback, private or reserved/);
    expect(checkPushUrl('https://controller.example/import').hostname).toBe('controller.example');
    configureOutgoingUrls(['loopback']);
    expect(checkPushUrl('http://127.0.0.1:8080/import').port).toBe('8080');
    configureOutgoingUrls([]);
  });
});

describeEachEngine('webhook registration (SSRF)', (store) => {
  let app: Awaited<ReturnType<typeof buildApp>>;
  let bearer: Record<string, string> = {};

  beforeAll(async () => {
    configureOutgoingUrls([]);
    const policy = await loadPolicy('policies/certilience.yaml');
    app = await buildApp({ store: store(), policy });
    const role = policy.roles.find((r) => r.id === 'dpo')?.id ?? 'dpo';
    bearer = { authorization: `Bearer ${(await createToken(store().db, policy, { role, name: 'ssrf-test' })).token}` };
  });
  afterAll(async () => {
    await app.close();
  });

  it('P1.6 a partner webhook into our own network is refused (API and command), naming the field', async () => {
    for (const url of ['http://127.0.0.1:5432/', 'http://169.254.169.254/latest/meta-data/', 'http://localhost/']) {
      await expect(addPartner(store().db, { name: 'Evil', kind: 'partner', country: 'FR', webhookUrl: url, hmacSecret: 's' }, new Date())).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        details: [{ field: 'webhookUrl' }],
      });
    }
    const res = await app.inject({ method: 'POST', url: '/api/v1/partners', headers: bearer, payload: { name: 'Evil', kind: 'partner', country: 'FR', webhookUrl: 'http://10.0.0.1/hook', hmacSecret: 'a-secret-of-sixteen-chars' } });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ error: { details: [{ field: 'webhookUrl' }] } });
    const ok = await addPartner(store().db, { name: 'Partenaire', kind: 'partner', country: 'FR', webhookUrl: 'https://partner.example/hook', hmacSecret: 's' }, new Date());
    expect(ok.webhookUrl).toBe('https://partner.example/hook');
  });
});
