/**
 * Sends what the outbox holds: claim, send, mark. A failure is retried with exponential
 * back-off (30 s, 1 min, 2 min … capped at 1 h) and given up after MAX_ATTEMPTS, visibly.
 * Each message carries a Message-ID derived from its row, so a resend after a crash between
 * the SMTP server's acceptance and our "sent" mark is recognisable as the same message.
 *
 * Secrets never rest in the outbox: a message of a registered `kind` is rendered when it is sent
 * (a password link is minted then, password.email.ts), and a `sensitive` body is blanked once
 * sent. Sent rows are pruned after PRUNE_SENT_AFTER_DAYS (src/jobs.ts).
 */
import type { Logger } from '../../lib/logger.ts';
import type { Mailer } from '../../lib/mailer.ts';
import type { ClaimedMessage, OutboxMessage, OutboxRepository, RenderedLater } from './outbox.repository.ts';
import type { Knex } from 'knex';

export const MAX_ATTEMPTS = 10;
export const PRUNE_SENT_AFTER_DAYS = 30;

/** What a renderer makes of a reference at send time; undefined: nothing to send any more. */
export interface RenderedMessage {
  to: string;
  from?: string | null;
  subject: string;
  text: string;
  html?: string | null;
}
export type Renderer = (payload: Record<string, unknown>) => Promise<RenderedMessage | undefined>;

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
  const renderers = new Map<string, Renderer>();

  /** The message as stored, or as its renderer makes it now; undefined: drop it. */
  async function contentOf(m: ClaimedMessage): Promise<RenderedMessage | undefined> {
    if (!m.kind) {
      return { to: m.toAddress, from: m.fromAddress, subject: m.subject, text: m.textBody, html: m.htmlBody };
    }
    const render = renderers.get(m.kind);
    if (!render) throw new Error(`no renderer for e-mail kind ${m.kind}`);
    return render(m.payload ?? {});
  }

  async function drainOnce(limit = 20): Promise<number> {
    const batch = await repo.claim(limit, 120);
    let sent = 0;
    for (const m of batch) {
      try {
        const c = await contentOf(m);
        if (!c) {
          await repo.markDropped(m.id, 'nothing to send any more');
          continue;
        }
        await mailer.send({
          to: c.to,
          ...(c.from ? { from: c.from } : {}),
          subject: c.subject,
          text: c.text,
          ...(c.html ? { html: c.html } : {}),
          // A message rendered at send time is new at each attempt (a new link): a new Message-ID.
          messageId: `<outbox-${m.id}${m.kind ? `-${m.attempts}` : ''}@${opts.messageIdDomain}>`,
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
    /** Queue a reference, rendered at send time by the renderer registered for its kind. */
    enqueueRendered(m: RenderedLater, trx?: Knex): Promise<void> {
      return repo.enqueueRendered(m, trx);
    },
    /** Renders messages of `kind` when they are sent (one renderer per kind, every process). */
    register(kind: string, render: Renderer): void {
      renderers.set(kind, render);
    },
    /** Deletes sent messages older than PRUNE_SENT_AFTER_DAYS; returns how many. */
    pruneSent(days = PRUNE_SENT_AFTER_DAYS): Promise<number> {
      return repo.pruneSent(days);
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
