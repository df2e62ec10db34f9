/**
 * Report schedules: create/edit/pause/resume/delete (audited, with activities), run history,
 * re-send, and the worker step `runDue(now)` that claims due schedules with FOR UPDATE SKIP
 * LOCKED, records one run per (schedule, period), builds the file and queues one e-mail per
 * active recipient in the same transaction that advances next_run_at.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import ejs from 'ejs';
import type { Knex } from 'knex';
import { z } from 'zod';
import type { Clock } from '../../lib/clock.ts';
import type { Logger } from '../../lib/logger.ts';
import { NotFound } from '../../http/errors.ts';
import { viewHelpers, viewsDir } from '../../http/views.ts';
import type { createActivitiesRepository } from '../activities/activities.repository.ts';
import type { createAuditRepository } from '../audit/audit.repository.ts';
import type { createOutboxService } from '../outbox/outbox.service.ts';
import { labelBaseUrl } from '../labels/labels.links.ts';
import { REPORT_TYPES, reportDef, type Filters } from './reports.definitions.ts';
import { CONTENT_TYPES, FORMATS, writeReport, type ReportFormat } from './reports.export.ts';
import { createReportsRepository } from './reports.repository.ts';
import { nextRunAt, periodKey, type ScheduleTiming } from './reports.schedule-time.ts';

export const FREQUENCIES = ['daily', 'weekly', 'monthly'] as const;
export const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

export interface ScheduleRow {
  id: number;
  customer_id: number;
  private_label_id: number;
  owner_user_id: number;
  name: string;
  report_type: string;
  filters: Filters;
  format: ReportFormat;
  frequency: 'daily' | 'weekly' | 'monthly';
  weekday: number | null;
  month_day: number | null;
  time_of_day: string;
  time_zone: string;
  recipient_user_ids: number[];
  next_run_at: Date | null;
  active: boolean;
}

export interface ScheduleScope {
  customerId: number;
  labelId: number;
  user: { id: number };
}

const blank = (v: unknown): unknown => (v === '' ? undefined : v);
const list = (v: unknown): unknown => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const zoneOk = (tz: string): boolean => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

/** The schedule form (filters are validated separately against the chosen report). */
export const scheduleForm = z
  .object({
    name: z.string().trim().min(1, 'Enter a name for the schedule').max(100, 'Enter 100 characters or fewer'),
    reportType: z.enum(REPORT_TYPES as [string, ...string[]], { message: 'Choose a report' }),
    format: z.enum(FORMATS, { message: 'Choose a file format' }),
    frequency: z.enum(FREQUENCIES, { message: 'Choose how often to send the report' }),
    weekday: z.preprocess(blank, z.coerce.number().int().min(0).max(6).optional()),
    monthDay: z.preprocess(
      blank,
      z.coerce
        .number({ message: 'Enter a day of the month from 1 to 31' })
        .int('Enter a day of the month from 1 to 31')
        .min(1, 'Enter a day of the month from 1 to 31')
        .max(31, 'Enter a day of the month from 1 to 31')
        .optional(),
    ),
    timeOfDay: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Enter the time as HH:MM, for example 07:00'),
    timeZone: z.string().refine(zoneOk, 'Choose a time zone from the list'),
    recipients: z.preprocess(
      list,
      z
        .array(z.coerce.number().int().positive())
        .min(1, 'Choose at least one recipient')
        .max(50, 'Choose 50 recipients or fewer'),
    ),
  })
  .superRefine((v, ctx) => {
    if (v.frequency === 'weekly' && v.weekday === undefined)
      ctx.addIssue({ code: 'custom', path: ['weekday'], message: 'Choose the day of the week' });
    if (v.frequency === 'monthly' && v.monthDay === undefined)
      ctx.addIssue({ code: 'custom', path: ['monthDay'], message: 'Enter a day of the month from 1 to 31' });
  });
export type ScheduleInput = z.infer<typeof scheduleForm>;

export const timing = (s: ScheduleRow): ScheduleTiming => ({
  frequency: s.frequency,
  weekday: s.weekday,
  monthDay: s.month_day,
  timeOfDay: s.time_of_day,
  timeZone: s.time_zone,
});

const canSchedule = (u: { role: string; permissions: string[]; status: string }): boolean =>
  u.status === 'active' && (u.role !== 'user' || u.permissions.includes('reports.schedule'));

/** HMAC-signed, expiring download link token for a run's file. */
export function signDownload(secret: string, runId: number, expires: number): string {
  return crypto.createHmac('sha256', secret).update(`report-run:${runId}:${expires}`).digest('base64url');
}
export function verifyDownload(
  secret: string,
  runId: number,
  expires: number,
  sig: string,
  now: Date,
): boolean {
  if (!Number.isFinite(expires) || expires < now.getTime()) return false;
  const want = Buffer.from(signDownload(secret, runId, expires));
  const got = Buffer.from(sig);
  return want.length === got.length && crypto.timingSafeEqual(want, got);
}

class Collector extends Writable {
  chunks: Buffer[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.chunks.push(chunk);
    cb();
  }
}

export function createReportSchedules(d: {
  db: Knex;
  clock: Clock;
  logger: Logger;
  audit: ReturnType<typeof createAuditRepository>;
  activities: ReturnType<typeof createActivitiesRepository>;
  outbox: ReturnType<typeof createOutboxService>;
  sessionSecret: string;
  /** PUBLIC_URL and PORT: where a label without its own public_url is reached (labels.links.ts). */
  publicUrl: string | undefined;
  port?: number;
  filesDir: string;
  /** Above this size the e-mail carries a signed link instead of the file. */
  attachLimitBytes: number;
}) {
  const { db } = d;

  const find = async (scope: ScheduleScope, id: number, trx: Knex = db): Promise<ScheduleRow> => {
    const row = (await trx('report_schedules')
      .where({ id, customer_id: scope.customerId, private_label_id: scope.labelId })
      .first()) as ScheduleRow | undefined;
    if (!row) throw new NotFound();
    return row;
  };

  const activeUsers = (customerId: number, trx: Knex = db) =>
    trx('users')
      .where({ customer_id: customerId, status: 'active' })
      .orderBy([{ column: 'name' }, { column: 'id' }])
      .select('id', 'name', 'email') as Promise<{ id: number; name: string; email: string }[]>;

  const columns = (input: ScheduleInput, filters: Filters) => ({
    name: input.name,
    report_type: input.reportType,
    filters: JSON.stringify(filters),
    format: input.format,
    frequency: input.frequency,
    weekday: input.frequency === 'weekly' ? (input.weekday ?? null) : null,
    month_day: input.frequency === 'monthly' ? (input.monthDay ?? null) : null,
    time_of_day: input.timeOfDay,
    time_zone: input.timeZone,
    recipient_user_ids: input.recipients,
  });
  const nextFor = (input: ScheduleInput): Date =>
    nextRunAt(
      {
        frequency: input.frequency,
        weekday: input.weekday ?? null,
        monthDay: input.monthDay ?? null,
        timeOfDay: input.timeOfDay,
        timeZone: input.timeZone,
      },
      d.clock.now(),
    );

  const change = async (
    trx: Knex,
    scope: ScheduleScope,
    action: string,
    id: number,
    before: unknown,
    after: unknown,
    subject: string,
  ): Promise<void> => {
    await d.audit.record(
      {
        actorUserId: scope.user.id,
        actingCustomerId: scope.customerId,
        action,
        entityType: 'report_schedule',
        entityId: id,
        before,
        after,
      },
      trx,
    );
    await d.activities.add(
      {
        customerId: scope.customerId,
        labelId: scope.labelId,
        actorUserId: scope.user.id,
        kind: action,
        subject,
        link: action === 'report_schedule.deleted' ? '/reports/schedules' : `/reports/schedules/${id}`,
      },
      trx,
    );
  };

  /** Recipients must be active users of the customer: anything else is an error on the field. */
  const checkRecipients = async (scope: ScheduleScope, ids: number[]): Promise<boolean> => {
    const ok = new Set((await activeUsers(scope.customerId)).map((u) => u.id));
    return ids.every((id) => ok.has(id));
  };

  return {
    activeUsers,
    find,
    checkRecipients,

    async list(scope: ScheduleScope) {
      return (await db('report_schedules as s')
        .where({ 's.customer_id': scope.customerId, 's.private_label_id': scope.labelId })
        .leftJoin('users as o', 'o.id', 's.owner_user_id')
        .select(
          's.*',
          'o.name as owner_name',
          db.raw(
            '(select r.status from report_runs r where r.schedule_id = s.id order by r.started_at desc, r.id desc limit 1) as last_status',
          ),
        )
        .orderBy([{ column: 's.name' }, { column: 's.id' }])) as (ScheduleRow & {
        owner_name: string;
        last_status: string | null;
      })[];
    },

    /** A run's stored file, for the signed download link (the signature is checked first). */
    async runFile(runId: number): Promise<{ storageKey: string; fileName: string } | undefined> {
      const run = (await db('report_runs').where({ id: runId }).first('storage_key', 'file_name')) as
        { storage_key: string | null; file_name: string | null } | undefined;
      return run?.storage_key && run.file_name
        ? { storageKey: run.storage_key, fileName: run.file_name }
        : undefined;
    },

    async runs(scope: ScheduleScope, id: number) {
      await find(scope, id);
      // E-mail delivery as the outbox sees it (the sender knows nothing of runs).
      const mail = (state: string) =>
        db.raw(
          `(select count(*)::int from email_outbox o where o.dedupe_key like 'report:' || r.schedule_id || ':' || r.period_key || ':%' and o.status ${state}) as ??`,
          [state === "= 'sent'" ? 'mails_sent' : 'mails_waiting'],
        );
      return (await db('report_runs as r')
        .where({ schedule_id: id })
        .select('r.*', mail("= 'sent'"), mail("<> 'sent'"))
        .orderBy([
          { column: 'started_at', order: 'desc' },
          { column: 'id', order: 'desc' },
        ])
        .limit(50)) as {
        id: number;
        period_key: string;
        status: string;
        attempts: number;
        error: string | null;
        file_name: string | null;
        file_size: number | null;
        started_at: Date;
        finished_at: Date | null;
        mails_sent: number;
        mails_waiting: number;
      }[];
    },

    async create(scope: ScheduleScope, input: ScheduleInput, filters: Filters): Promise<number> {
      return db.transaction(async (trx) => {
        const [row] = (await trx('report_schedules')
          .insert({
            customer_id: scope.customerId,
            private_label_id: scope.labelId,
            owner_user_id: scope.user.id,
            ...columns(input, filters),
            next_run_at: nextFor(input),
            active: true,
          })
          .returning('*')) as ScheduleRow[];
        await change(
          trx,
          scope,
          'report_schedule.created',
          row!.id,
          undefined,
          row,
          `Scheduled report “${input.name}”`,
        );
        return row!.id;
      });
    },

    async update(scope: ScheduleScope, id: number, input: ScheduleInput, filters: Filters): Promise<void> {
      await db.transaction(async (trx) => {
        const before = await find(scope, id, trx);
        const [after] = (await trx('report_schedules')
          .where({ id })
          .update({
            ...columns(input, filters),
            next_run_at: before.active ? nextFor(input) : before.next_run_at,
            updated_at: d.clock.now(),
          })
          .returning('*')) as ScheduleRow[];
        await change(
          trx,
          scope,
          'report_schedule.updated',
          id,
          before,
          after,
          `Changed scheduled report “${input.name}”`,
        );
      });
    },

    async setActive(scope: ScheduleScope, id: number, active: boolean): Promise<void> {
      await db.transaction(async (trx) => {
        const before = await find(scope, id, trx);
        const next = active ? nextRunAt(timing(before), d.clock.now()) : before.next_run_at;
        await trx('report_schedules')
          .where({ id })
          .update({ active, next_run_at: next, updated_at: d.clock.now() });
        await change(
          trx,
          scope,
          active ? 'report_schedule.resumed' : 'report_schedule.paused',
          id,
          { active: before.active },
          { active },
          `${active ? 'Resumed' : 'Paused'} scheduled report “${before.name}”`,
        );
      });
    },

    async remove(scope: ScheduleScope, id: number): Promise<void> {
      await db.transaction(async (trx) => {
        const before = await find(scope, id, trx);
        await trx('report_schedules').where({ id }).del();
        await change(
          trx,
          scope,
          'report_schedule.deleted',
          id,
          before,
          undefined,
          `Deleted scheduled report “${before.name}”`,
        );
      });
    },

    /** Queues the run's e-mails again (new dedupe keys) by marking the run for a rebuild. */
    async resend(scope: ScheduleScope, scheduleId: number, runId: number): Promise<void> {
      await db.transaction(async (trx) => {
        const s = await find(scope, scheduleId, trx);
        const run = (await trx('report_runs').where({ id: runId, schedule_id: s.id }).forUpdate().first()) as
          { id: number; period_key: string; attempts: number } | undefined;
        if (!run) throw new NotFound();
        await build(trx, s, run.id, run.period_key, `resend${run.attempts + 1}`);
        await trx('report_runs').where({ id: run.id }).increment('attempts', 1);
        await change(
          trx,
          scope,
          'report_schedule.resent',
          s.id,
          undefined,
          { runId, period: run.period_key },
          `Re-sent scheduled report “${s.name}” for ${run.period_key}`,
        );
      });
      d.outbox.drainSoon();
    },

    /** Worker: runs every due schedule once per period. Returns how many runs were built. */
    async runDue(now: Date = d.clock.now()): Promise<number> {
      let built = 0;
      for (;;) {
        let claimed: { id: number; period: string; at: Date } | undefined;
        let did: 'none' | 'paused' | 'built' | 'skipped';
        try {
          did = await db.transaction(async (trx) => {
            const s = (await trx('report_schedules')
              .where('active', true)
              .andWhere('next_run_at', '<=', now)
              .orderBy('next_run_at')
              .forUpdate()
              .skipLocked()
              .first()) as ScheduleRow | undefined;
            if (!s) return 'none' as const;
            const owner = (await trx('users')
              .where({ id: s.owner_user_id })
              .first('role', 'permissions', 'status', 'customer_id')) as
              { role: string; permissions: string[]; status: string; customer_id: number | null } | undefined;
            if (
              !owner ||
              !canSchedule(owner) ||
              (owner.role === 'user' && owner.customer_id !== s.customer_id)
            ) {
              await trx('report_schedules').where({ id: s.id }).update({ active: false, updated_at: now });
              await d.activities.add(
                {
                  customerId: s.customer_id,
                  labelId: s.private_label_id,
                  actorUserId: null,
                  kind: 'report_schedule.paused',
                  subject: `Paused scheduled report “${s.name}”: its owner may no longer schedule reports`,
                  link: `/reports/schedules/${s.id}`,
                },
                trx,
              );
              return 'paused' as const;
            }
            const period = periodKey(s.next_run_at!, s.time_zone);
            claimed = { id: s.id, period, at: s.next_run_at! };
            const next = nextRunAt(timing(s), new Date(Math.max(now.getTime(), s.next_run_at!.getTime())));
            // One run per (schedule, period); a failed run of the period is taken over and retried.
            const inserted = (await trx.raw(
              `insert into report_runs (schedule_id, period_key, status, attempts, started_at)
               values (?, ?, 'running', 1, ?)
               on conflict (schedule_id, period_key) do update
                 set status = 'running', attempts = report_runs.attempts + 1, error = null,
                     started_at = excluded.started_at
                 where report_runs.status = 'failed'
               returning id`,
              [s.id, period, now],
            )) as { rows: { id: number }[] };
            const runId = inserted.rows[0]?.id;
            if (runId) await build(trx, s, runId, period, null);
            await trx('report_schedules').where({ id: s.id }).update({ next_run_at: next });
            return runId ? ('built' as const) : ('skipped' as const);
          });
        } catch (err) {
          if (!claimed) throw err;
          const c = claimed;
          d.logger.error({ err, scheduleId: c.id, period: c.period }, 'scheduled report failed');
          // Record the failure where the schedule's history shows it; retry with back-off (5,
          // 10, 20 minutes), then give the period up and wait for the next one.
          await db.transaction(async (trx) => {
            const s = (await trx('report_schedules').where({ id: c.id }).forUpdate().first()) as
              ScheduleRow | undefined;
            if (!s || s.next_run_at?.getTime() !== c.at.getTime()) return;
            const message = err instanceof Error ? err.message.slice(0, 500) : 'Unknown error';
            const rows = (await trx.raw(
              `insert into report_runs (schedule_id, period_key, status, attempts, error, started_at, finished_at)
               values (?, ?, 'failed', 1, ?, ?, ?)
               on conflict (schedule_id, period_key) do update
                 set status = 'failed', attempts = report_runs.attempts + 1, error = excluded.error,
                     finished_at = excluded.finished_at
                 where report_runs.status in ('failed', 'running')
               returning attempts`,
              [c.id, c.period, message, now, now],
            )) as { rows: { attempts: number }[] };
            const attempts = rows.rows[0]?.attempts ?? 1;
            const retryAt =
              attempts < 4
                ? new Date(now.getTime() + 5 * 60_000 * 2 ** (attempts - 1))
                : nextRunAt(timing(s), new Date(Math.max(now.getTime(), c.at.getTime())));
            // (A retry that crosses local midnight counts as the next day's period.)
            await trx('report_schedules').where({ id: c.id }).update({ next_run_at: retryAt });
          });
          did = 'skipped';
        }
        if (did === 'none') break;
        if (did === 'built') built++;
      }
      if (built) d.outbox.drainSoon();
      return built;
    },
  };

  /** Builds the file for a run and queues one e-mail per active recipient, inside `trx`. */
  async function build(trx: Knex, s: ScheduleRow, runId: number, period: string, resend: string | null) {
    const def = reportDef(s.report_type);
    if (!def) {
      await trx('report_runs')
        .where({ id: runId })
        .update({ status: 'failed', error: 'Unknown report', finished_at: d.clock.now() });
      return;
    }
    const label = (await trx('private_labels')
      .where({ id: s.private_label_id })
      .first(
        'name',
        'primary_color',
        'locale',
        'support_email',
        'support_phone',
        'time_zone',
        'hosts',
        'public_url',
        'is_default',
        'email_from',
      )) as {
      hosts: string[];
      public_url: string | null;
      is_default: boolean;
      email_from: string | null;
      name: string;
      primary_color: string | null;
      locale: string;
      support_email: string | null;
      support_phone: string | null;
      time_zone: string;
    };
    const customer = (await trx('customers').where({ id: s.customer_id }).first('name')) as { name: string };
    const brand = {
      name: label.name,
      primaryColor: label.primary_color ?? '#1d70b8',
      locale: label.locale,
      supportEmail: label.support_email,
      supportPhone: label.support_phone,
    };
    const today = d.clock.today(label.time_zone);
    const scope = { customerId: s.customer_id, labelId: s.private_label_id, today };
    const parsed = def.filters.safeParse(s.filters ?? {});
    const filters = parsed.success ? parsed.data : {};
    const repo = createReportsRepository(trx);
    const out = new Collector();
    const subtitle = `${customer.name} — ${period}`;
    await writeReport(
      s.format,
      {
        def,
        rows: repo.stream(def, scope, filters),
        totals: await repo.totals(def, scope, filters),
        brand,
        subtitle,
      },
      out,
    );
    const file = Buffer.concat(out.chunks);
    const fileName = `${def.type}-${period}.${s.format}`;
    let link: string | null = null;
    if (file.length > d.attachLimitBytes) {
      fs.mkdirSync(d.filesDir, { recursive: true });
      fs.writeFileSync(path.join(d.filesDir, `${runId}.${s.format}`), file);
      const expires = d.clock.now().getTime() + 7 * 86_400_000;
      const base = labelBaseUrl(
        { publicUrl: label.public_url, hosts: label.hosts, isDefault: label.is_default },
        { publicUrl: d.publicUrl, port: d.port ?? 3000 },
      );
      link = `${base}/reports/files/${runId}?expires=${expires}&sig=${signDownload(d.sessionSecret, runId, expires)}`;
    }
    const ids = s.recipient_user_ids;
    const recipients = ids.length
      ? ((await trx('users')
          .whereIn('id', ids)
          .andWhere({ customer_id: s.customer_id, status: 'active' })
          .select('id', 'name', 'email')) as { id: number; name: string; email: string }[])
      : [];
    const subject = `${s.name}: ${def.title} for ${period}`;
    for (const r of recipients) {
      const data = {
        ...viewHelpers,
        label: {
          name: brand.name,
          locale: brand.locale,
          supportEmail: brand.supportEmail,
          primaryColor: brand.primaryColor,
        },
        user: r,
        schedule: s,
        reportTitle: def.title,
        period,
        fileName,
        link,
        customerName: customer.name,
      };
      const [html, text] = await Promise.all([
        ejs.renderFile(path.join(viewsDir, 'emails', 'report-scheduled.ejs'), data),
        ejs.renderFile(path.join(viewsDir, 'emails', 'report-scheduled-text.ejs'), data, {
          escape: (v: unknown) => String(v),
        }),
      ]);
      await d.outbox.enqueue(
        {
          to: r.email,
          from: label.email_from,
          subject,
          text,
          html,
          // A signed download link is a key for 7 days: the body goes once sent.
          sensitive: Boolean(link),
          attachments: link
            ? []
            : [
                {
                  filename: fileName,
                  contentType: CONTENT_TYPES[s.format].split(';')[0]!,
                  content: file.toString('base64'),
                },
              ],
          dedupeKey: `report:${s.id}:${period}:${r.id}${resend ? `:${resend}` : ''}`,
        },
        trx,
      );
    }
    await trx('report_runs')
      .where({ id: runId })
      .update({
        status: recipients.length ? 'built' : 'skipped',
        error: recipients.length ? null : 'No active recipients',
        file_name: fileName,
        file_size: file.length,
        storage_key: link ? `${runId}.${s.format}` : null,
        finished_at: d.clock.now(),
      });
  }
}

export type ReportSchedules = ReturnType<typeof createReportSchedules>;
