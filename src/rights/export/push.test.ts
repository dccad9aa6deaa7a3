import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPushUrl, portabilitySignature, pushPortability, SIGNATURE_HEADER } from './push.js';
import { packArchive, unpackArchive } from './zip.js';
import { configureOutgoingUrls } from '../../http/outgoing-url.js';

// The webhook receivers of these tests listen on 127.0.0.1: allowed here as REMPART_ALLOW_PRIVATE_URLS=loopback would.
configureOutgoingUrls(['loopback']);

const KEY = 'shared-secret-of-the-receiving-controller';

interface Received {
  readonly body: Buffer;
  readonly signature: string | undefined;
  readonly contentType: string | undefined;
}

describe('pushing a portability archive to another controller (P5.5)', () => {
  let server: Server;
  let base: string;
  const received: Received[] = [];
  let behaviour: (res: ServerResponse) => void = (res) => res.writeHead(202).end();

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const sig = req.headers[SIGNATURE_HEADER];
        received.push({ body: Buffer.concat(chunks), signature: typeof sig === 'string' ? sig : undefined, contentType: req.headers['content-type'] });
        behaviour(res);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const zip = packArchive([{ name: 'portability.json', content: '{"data":{}}' }], {
    kind: 'portability',
    generatedAt: '2026-12-01T10:00:00.000Z',
    policyVersion: { effectiveDate: '2018-06-20', label: null, hash: 'h' },
  });

  it('P5.5 posts the ZIP with a signature the receiver can verify', async () => {
    behaviour = (res) => res.writeHead(202).end('accepted');
    const result = await pushPortability(zip, { url: `${base}/import`, hmacKey: KEY });
    expect(result).toEqual({ ok: true, status: 202, error: null });
    const got = received.at(-1);
    expect(got?.contentType).toBe('application/zip');
    expect(got?.body.equals(zip)).toBe(true);
    // The receiver's check: recompute the HMAC over the body with the shared key.
    const expected = Buffer.from(`sha256=${createHmac('sha256', KEY).update(got?.body ?? Buffer.alloc(0)).digest('hex')}`);
    expect(timingSafeEqual(Buffer.from(got?.signature ?? ''), expected)).toBe(true);
    expect(got?.signature).toBe(portabilitySignature(zip, KEY));
    expect(portabilitySignature(zip, 'another key')).not.toBe(got?.signature);
    expect(Object.keys(unpackArchive(got?.body ?? new Uint8Array()))).toContain('portability.json');
  });

  it('P5.5 reports a refusal by the receiver, and does not follow redirects', async () => {
    behaviour = (res) => res.writeHead(500).end();
    expect(await pushPortability(zip, { url: base, hmacKey: KEY })).toMatchObject({ ok: false, status: 500 });
    behaviour = (res) => res.writeHead(302, { location: 'http://example.com/' }).end();
    expect(await pushPortability(zip, { url: base, hmacKey: KEY })).toMatchObject({ ok: false, status: 302 });
  });

  it('P5.5 gives up after the timeout', async () => {
    behaviour = () => undefined; // never answers
    const result = await pushPortability(zip, { url: base, hmacKey: KEY, timeoutMs: 200 });
    expect(result).toEqual({ ok: false, status: null, error: 'timed out' });
  });

  it('P5.5 refuses plain http except on the loopback address, and URLs with credentials', () => {
    expect(() => checkPushUrl('http://example.com/import')).toThrow(/https/);
    expect(() => checkPushUrl('http://localhost:8080/')).toThrow(/https/);
    expect(() => checkPushUrl('ftp://example.com/')).toThrow(/https/);
    expect(() => checkPushUrl('not a url')).toThrow(/valid URL/);
    expect(() => checkPushUrl('https://user:pw@example.com/')).toThrow(/credentials/);
    expect(checkPushUrl('https://controller.example/import').protocol).toBe('https:');
    expect(checkPushUrl('http://127.0.0.1:9/').hostname).toBe('127.0.0.1');
  });
});
