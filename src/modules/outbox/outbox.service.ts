/**
 * Sends what the outbox holds: claim, send, mark. A failure is retried with exponential
 * back-off (30 s, 1 min, 2 min … capped at 1 h) and given up after MAX_ATTEMPTS, visibly.
 * Each message carries a Message-ID derived from its row, so a resend after a crash between
 * the SMTP server's acceptance and our "sent" mark is recognisable as the same message.
 */
import type { Logger } from '../../lib/logger.ts';
import type { Mailer } from '../../lib/mailer.ts';
import type { OutboxMessage, OutboxRepository } from './outbox.repository.ts';
import type { Knex } from 'knex';

export const MAX_ATTEMPTS = 10;

export function backoffSeconds(attempts: number): number {
  return Math.min(3600, 30 * 2 ** Math.max(0, attempts - 1));
}

export function createOutboxService(
  repo: OutboxRepository,
  mailer: Mailer,
  logger: Logger,
  opts: { messageIdDomain: string },
) {
  let draining: Promise<number> | undefined;

  async function drainOnce(limit = 20): Promise<number> {
    const batch = await repo.claim(limit, 120);
    let sent = 0;
    for (const m of batch) {
      try {
        await mailer.send({
          to: m.toAddress,
          subject: m.subject,
          text: m.textBody,
          ...(m.htmlBody ? { html: m.htmlBody } : {}),
          messageId: `<outbox-${m.id}@${opts.messageIdDomain}>`,
          attachments: m.attachments.map((a) => ({
            filename: a.filename,
            contentType: a.contentType,
            content: Buffer.from(a.content, 'base64'),
          })),
        });
        await repo.markSent(m.id);
        sent++;
      } catch (err) {
        const giveUp = m.attempts >= MAX_ATTEMPTS;
        await repo.markFailed(m.id, (err as Error).message, giveUp ? null : backoffSeconds(m.attempts));
        logger.warn(
          {
            event: 'email_send_failed',
            outboxId: m.id,
            attempts: m.attempts,
            gaveUp: giveUp,
            error: (err as Error).message,
          },
          'e-mail not sent',
        );
      }
    }
    return sent;
  }

  return {
    /** Queue a message inside the caller's transaction. */
    enqueue(m: OutboxMessage, trx?: Knex): Promise<void> {
      return repo.enqueue(m, trx);
    },
    /** Sends everything due now; safe to call from several processes at once. */
    async drain(): Promise<number> {
      let total = 0;
      for (;;) {
        const n = await drainOnce();
        total += n;
        if (n === 0) return total;
      }
    },
    /** After a commit in the web process: send soon, without making the request wait. */
    drainSoon(): void {
      if (draining) return;
      draining = drainOnce()
        .catch((err: unknown) => {
          logger.warn({ err }, 'outbox drain failed');
          return 0;
        })
        .finally(() => {
          draining = undefined;
        });
    },
  };
}
export type OutboxService = ReturnType<typeof createOutboxService>;
