/**
 * Notification preferences (/account) and the e-mail they switch on: a reminder of open
 * invoices that fall due in REMINDER_DAYS days, once per user, label and day however many
 * workers run (the outbox's dedupe key), in the label's own time zone.
 */
import path from 'node:path';
import ejs from 'ejs';
import type { Knex } from 'knex';
import { addDays, type Clock } from '../../lib/clock.ts';
import { viewHelpers, viewsDir } from '../../http/views.ts';
import type { Label } from '../../http/types.ts';
import type { AuditRepository } from '../audit/audit.repository.ts';
import type { OutboxService } from '../outbox/outbox.service.ts';

export const REMINDER_DAYS = 5;

export interface Preferences {
  paymentReceipts: boolean;
  dueReminders: boolean;
}

interface Ctx {
  ip: string | null;
  requestId: string;
  customerId: number | null;
}

interface DueRow {
  userId: number;
  email: string;
  name: string;
  id: number;
  number: string;
  dueDate: string;
  currency: string;
  balanceMinor: number;
}

export function createNotifications(d: {
  db: Knex;
  clock: Clock;
  audit: AuditRepository;
  outbox: OutboxService;
  labels: () => Promise<Label[]>;
}) {
  const { db } = d;

  async function render(label: Label, user: { name: string }, invoices: DueRow[], dueDate: string) {
    const data = {
      ...viewHelpers,
      label,
      user,
      invoices,
      dueDate,
      // Absolute, from the label's configured address (never a request's host).
      link: `${label.baseUrl}/invoices?status=open`,
      accountLink: `${label.baseUrl}/account#notifications`,
    };
    const [html, text] = await Promise.all([
      ejs.renderFile(path.join(viewsDir, 'emails', 'due-reminder.ejs'), data),
      ejs.renderFile(path.join(viewsDir, 'emails', 'due-reminder-text.ejs'), data, {
        escape: (v: unknown) => String(v),
      }),
    ]);
    return { html, text };
  }

  return {
    async preferences(userId: number): Promise<Preferences> {
      const row = (await db('users')
        .where({ id: userId })
        .first('notify_payment_receipts as paymentReceipts', 'notify_due_reminders as dueReminders')) as
        Preferences | undefined;
      return row ?? { paymentReceipts: true, dueReminders: false };
    },

    async save(userId: number, prefs: Preferences, ctx: Ctx): Promise<void> {
      await db.transaction(async (trx) => {
        const before = (await trx('users')
          .where({ id: userId })
          .forUpdate()
          .first('notify_payment_receipts as paymentReceipts', 'notify_due_reminders as dueReminders')) as
          Preferences | undefined;
        await trx('users').where({ id: userId }).update({
          notify_payment_receipts: prefs.paymentReceipts,
          notify_due_reminders: prefs.dueReminders,
          updated_at: d.clock.now(),
        });
        await d.audit.record(
          {
            actorUserId: userId,
            actingCustomerId: ctx.customerId,
            action: 'account.notifications',
            entityType: 'user',
            entityId: userId,
            before,
            after: prefs,
            ip: ctx.ip,
            requestId: ctx.requestId,
          },
          trx,
        );
      });
    },

    /** Queues today's reminders (per label's "today"); returns how many e-mails were queued. */
    async sendDueReminders(): Promise<number> {
      let queued = 0;
      for (const label of await d.labels()) {
        const today = d.clock.today(label.timeZone);
        const dueDate = addDays(today, REMINDER_DAYS);
        const key = (userId: number) => `due-reminder:${userId}:${label.code}:${today}`;
        const rows = (await db('users as u')
          .join('invoices as i', 'i.customer_id', 'u.customer_id')
          .where('i.private_label_id', label.id)
          .where('i.due_date', dueDate)
          .whereIn('i.status', ['open', 'partially_paid'])
          .where('i.balance_minor', '>', 0)
          .where('u.status', 'active')
          .where('u.notify_due_reminders', true)
          .where((q) => q.where('u.role', 'portal_admin').orWhereRaw(`'invoices.view' = any(u.permissions)`))
          // Already queued today (an earlier run, another worker): not rendered again.
          .whereNotExists((q) =>
            q
              .from('email_outbox')
              .whereRaw(`dedupe_key = 'due-reminder:' || u.id || ':' || ? || ':' || ?`, [label.code, today]),
          )
          .orderBy('u.id')
          .orderBy('i.number')
          .select(
            'u.id as userId',
            'u.email',
            'u.name',
            'i.id',
            'i.number',
            'i.due_date as dueDate',
            'i.currency',
            'i.balance_minor as balanceMinor',
          )) as DueRow[];
        const byUser = new Map<number, DueRow[]>();
        for (const r of rows) byUser.set(r.userId, [...(byUser.get(r.userId) ?? []), r]);
        for (const [userId, invoices] of byUser) {
          const first = invoices[0]!;
          const { html, text } = await render(label, first, invoices, dueDate);
          const count = invoices.length;
          await d.outbox.enqueue({
            to: first.email,
            from: label.emailFrom,
            subject: `${count} ${count === 1 ? 'invoice falls' : 'invoices fall'} due on ${viewHelpers.date(dueDate, label.locale)} – ${label.name}`,
            html,
            text,
            dedupeKey: key(userId),
          });
          queued += 1;
        }
      }
      return queued;
    },
  };
}
export type Notifications = ReturnType<typeof createNotifications>;
