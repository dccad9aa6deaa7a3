import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';

/** One request the receiver got: the raw body and the signature headers of a recipient notice. */
export interface ReceivedHook {
  readonly path: string;
  readonly body: string;
  readonly signature: string | undefined;
  readonly delivery: string | undefined;
}

/** A recipient's webhook endpoint for tests (Art. 19 and consent-withdrawal notices). */
export interface WebhookReceiver {
  /** Every request received, in order; tests may empty it (`received.length = 0`). */
  readonly received: ReceivedHook[];
  /** How many of the next requests are answered 503 (the recipient is down) before it answers 204 again. */
  failures: number;
  /** The endpoint's URL (set once the server listens, before the file's tests run). */
  readonly url: string;
}

/**
 * A local HTTP endpoint that records what it receives, started before the file's tests and
 * closed after them; call it at the top level of a test file.
 */
export function webhookReceiver(path = '/hook'): WebhookReceiver {
  let server: Server | undefined;
  let url = '';
  const receiver = {
    received: [] as ReceivedHook[],
    failures: 0,
    get url(): string {
      return url;
    },
  };
  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const header = (name: string) => {
          const v = req.headers[name];
          return typeof v === 'string' ? v : undefined;
        };
        receiver.received.push({ path: req.url ?? '', body: Buffer.concat(chunks).toString('utf8'), signature: header('x-rempart-signature'), delivery: header('x-rempart-delivery') });
        if (receiver.failures > 0) {
          receiver.failures--;
          res.writeHead(503).end();
        } else res.writeHead(204).end();
      });
    });
    const s = server;
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(s.address() as AddressInfo).port}${path}`;
  });
  afterAll(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));
  return receiver;
}
