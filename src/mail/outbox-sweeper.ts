import { purgeOutbox } from './mailer.js';

/** Default time an outbox file stays: a day, for the operator to read or forward it. */
export const DEFAULT_OUTBOX_KEEP_HOURS = 24;

/**
 * Sweeps the outbox every `intervalMs` (default 10 minutes), deleting the `.eml` files
 * older than `keepMs`. Without SMTP the outbox is where mail is delivered; it holds
 * identity codes that expire in 30 minutes and whole access exports, so it must not
 * become an archive (GDPR Art. 5(1)(e), Art. 32). Returns a stop function.
 */
export function startOutboxSweeper(options: {
  readonly outboxDir: string;
  readonly keepMs: number;
  readonly now?: () => Date;
  readonly intervalMs?: number;
  readonly onError?: (e: unknown) => void;
}): () => void {
  const now = options.now ?? (() => new Date());
  let running = false;
  const sweep = async (): Promise<void> => {
    if (running) return;
    running = true;
    try {
      await purgeOutbox(options.outboxDir, new Date(now().getTime() - options.keepMs));
    } catch (e) {
      options.onError?.(e);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void sweep(), options.intervalMs ?? 10 * 60_000);
  timer.unref();
  void sweep();
  return () => clearInterval(timer);
}
