import type { Knex } from 'knex';

export interface OutboxAttachment {
  filename: string;
  contentType: string;
  /** base64 */
  content: string;
}

export interface OutboxMessage {
  to: string;
  /** The sender, e.g. the label's `email_from`; unset: MAIL_FROM. */
  // Required, so no caller forgets its label: null only where no label applies (MAIL_FROM).
  from: string | null;
  subject: string;
  text: string;
  html?: string | null;
  attachments?: OutboxAttachment[];
  /** Same key twice → queued once (e.g. `receipt:payment:42`, `report:7:2026-11-16`). */
  dedupeKey?: string | null;
  /** The body holds a secret (e.g. a signed download link): blanked once the message is sent. */
  sensitive?: boolean;
}

/**
 * A message rendered when it is sent, by the renderer registered for `kind` (outbox.service.ts):
 * the row keeps a reference (`payload`), never the secret the e-mail will carry.
 */
export interface RenderedLater {
  kind: string;
  payload: Record<string, unknown>;
  /** For the record only: the renderer decides the real recipient. */
  to: string;
  subject: string;
  dedupeKey?: string | null;
}

export interface ClaimedMessage {
  id: number;
  toAddress: string;
  fromAddress: string | null;
  kind: string | null;
  payload: Record<string, unknown> | null;
  subject: string;
  textBody: string;
  htmlBody: string | null;
  attachments: OutboxAttachment[];
  attempts: number;
}

/** The e-mail outbox: rows written in the business transaction, sent later by drain(). */
export function createOutboxRepository(db: Knex) {
  return {
    async enqueue(m: OutboxMessage, trx: Knex = db): Promise<void> {
      await trx('email_outbox')
        .insert({
          to_address: m.to,
          from_address: m.from ?? null,
          subject: m.subject,
          text_body: m.text,
          html_body: m.html ?? null,
          attachments: JSON.stringify(m.attachments ?? []),
          dedupe_key: m.dedupeKey ?? null,
          sensitive: m.sensitive ?? false,
        })
        .onConflict('dedupe_key')
        .ignore();
    },

    async enqueueRendered(m: RenderedLater, trx: Knex = db): Promise<void> {
      await trx('email_outbox')
        .insert({
          to_address: m.to,
          subject: m.subject,
          text_body: '',
          kind: m.kind,
          payload: JSON.stringify(m.payload),
          dedupe_key: m.dedupeKey ?? null,
        })
        .onConflict('dedupe_key')
        .ignore();
    },

    /**
     * Claims due messages (and ones whose sender died mid-send) with SKIP LOCKED, so any
     * number of workers share the queue without taking the same row.
     */
    async claim(limit: number, lockSeconds: number): Promise<ClaimedMessage[]> {
      const rows = (await db.raw(
        `update email_outbox set status = 'sending', attempts = attempts + 1,
                locked_until = now() + make_interval(secs => ?)
          where id in (
            select id from email_outbox
             where (status = 'queued' and next_attempt_at <= now())
                or (status = 'sending' and locked_until < now())
             order by id
             for update skip locked
             limit ?)
        returning id, to_address as "toAddress", from_address as "fromAddress", kind, payload,
                  subject, text_body as "textBody", html_body as "htmlBody", attachments, attempts`,
        [lockSeconds, limit],
      )) as { rows: ClaimedMessage[] };
      return rows.rows;
    },

    /** A sensitive message's body (and attachments) go once it is sent. */
    async markSent(id: number): Promise<void> {
      await db('email_outbox')
        .where({ id })
        .update({
          status: 'sent',
          sent_at: db.fn.now(),
          locked_until: null,
          last_error: null,
          text_body: db.raw(`case when sensitive then '' else text_body end`),
          html_body: db.raw('case when sensitive then null else html_body end'),
          attachments: db.raw(`case when sensitive then '[]'::jsonb else attachments end`),
        });
    },

    /** A message its renderer chose not to send (e.g. the user was deactivated meanwhile). */
    async markDropped(id: number, reason: string): Promise<void> {
      await db('email_outbox')
        .where({ id })
        .update({ status: 'failed', locked_until: null, last_error: reason.slice(0, 1000) });
    },

    /**
     * Deletes messages sent more than `days` days ago (database time on both sides: sent_at is
     * the database's now()). Returns how many.
     */
    async pruneSent(days: number): Promise<number> {
      return db('email_outbox')
        .where({ status: 'sent' })
        .where('sent_at', '<', db.raw('now() - make_interval(days => ?)', [days]))
        .del();
    },

    async markFailed(id: number, error: string, retryInSeconds: number | null): Promise<void> {
      await db('email_outbox')
        .where({ id })
        .update(
          retryInSeconds === null
            ? { status: 'failed', locked_until: null, last_error: error.slice(0, 1000) }
            : {
                status: 'queued',
                locked_until: null,
                last_error: error.slice(0, 1000),
                next_attempt_at: db.raw('now() + make_interval(secs => ?)', [retryInSeconds]),
              },
        );
    },
  };
}
export type OutboxRepository = ReturnType<typeof createOutboxRepository>;
