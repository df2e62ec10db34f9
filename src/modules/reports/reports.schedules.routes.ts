/**
 * `/reports/schedules`: list, new (choose a report, then its filters and timing), edit, pause,
 * resume, delete, run history and re-send. Mounted behind reports.schedule. Also
 * `reportFileRoutes`: the signed, expiring download link sent for files above the size limit.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Router, type Request, type Response } from 'express';
import type { Deps } from '../../container.ts';
import { parseForm } from '../../http/forms.ts';
import { NotFound } from '../../http/errors.ts';
import type { FieldError } from '../../http/errors.ts';
import { REPORTS, reportDef, type Filters, type ReportDef } from './reports.definitions.ts';
import { CONTENT_TYPES } from './reports.export.ts';
import {
  FREQUENCIES,
  WEEKDAYS,
  scheduleForm,
  verifyDownload,
  type ScheduleRow,
} from './reports.schedules.ts';

const ZONES = [
  'America/New_York',
  'America/Chicago',
  'America/Denver',
  'America/Phoenix',
  'America/Los_Angeles',
  'America/Toronto',
  'America/Vancouver',
  'America/Halifax',
  'Europe/London',
  'UTC',
];

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const idOf = (v: unknown): number => {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n <= 0) throw new NotFound();
  return n;
};

/** Filter fields travel as `filter_<name>` so they never clash with the schedule's own fields. */
function filterValues(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(body)
      .filter(([k]) => k.startsWith('filter_'))
      .map(([k, v]) => [k.slice(7), v]),
  );
}

function describeTiming(s: ScheduleRow): string {
  if (s.frequency === 'daily') return `Daily at ${s.time_of_day}`;
  if (s.frequency === 'weekly') return `Every ${WEEKDAYS[s.weekday ?? 1]} at ${s.time_of_day}`;
  const d = s.month_day ?? 1;
  return `Monthly on day ${d}${d >= 29 ? ' (or the month’s last day)' : ''} at ${s.time_of_day}`;
}

export function reportSchedulesRoutes(deps: Deps): Router {
  const router = Router();
  const svc = deps.reportSchedules;
  const scopeOf = (res: Response) => {
    const s = res.locals.scope!;
    return { customerId: s.customerId, labelId: s.labelId, user: { id: s.user.id } };
  };

  const renderForm = async (
    req: Request,
    res: Response,
    o: {
      def: ReportDef;
      values: Record<string, unknown>;
      errors: FieldError[];
      scheduleId?: number;
      status?: number;
    },
  ) => {
    const scope = res.locals.scope!;
    const users = await svc.activeUsers(scope.customerId);
    const zones = ZONES.includes(scope.label.timeZone) ? ZONES : [scope.label.timeZone, ...ZONES];
    const verb = o.scheduleId ? 'Change' : 'Schedule';
    res.status(o.status ?? 200).render('reports/schedule-form', {
      title: `${o.errors.length ? 'Error: ' : ''}${verb} the ${o.def.title.toLowerCase()} report`,
      heading: `${verb} the ${o.def.title.toLowerCase()} report`,
      def: o.def,
      values: o.values,
      errors: o.errors,
      action: o.scheduleId ? `/reports/schedules/${o.scheduleId}` : '/reports/schedules',
      cancel: o.scheduleId ? `/reports/schedules/${o.scheduleId}` : '/reports/schedules',
      users,
      zones,
      weekdays: WEEKDAYS,
      frequencies: FREQUENCIES,
    });
    void req;
  };

  /** Validates the schedule and the chosen report's filters together. */
  const parse = async (res: Response, body: Record<string, unknown>) => {
    const def = reportDef(str(body.reportType));
    if (!def) throw new NotFound();
    const form = parseForm(scheduleForm, body);
    const filters = parseForm(def.filters, filterValues(body));
    const errors: FieldError[] = [];
    if (!form.ok) errors.push(...form.errors);
    if (!filters.ok)
      errors.push(...filters.errors.map((e) => ({ field: `filter_${e.field}`, message: e.message })));
    const chosen = ([] as unknown[]).concat(body.recipients ?? []).map(Number);
    if (!errors.some((e) => e.field === 'recipients') && !(await svc.checkRecipients(scopeOf(res), chosen)))
      errors.push({ field: 'recipients', message: 'Choose recipients from the list of active users' });
    return { def, form, filters, errors };
  };

  router.get('/', async (req, res) => {
    const schedules = await svc.list(scopeOf(res));
    const flash = req.session.flash;
    delete req.session.flash;
    res.render('reports/schedules', {
      title: 'Scheduled reports',
      flash,
      schedules: schedules.map((s) => ({
        ...s,
        timing: describeTiming(s),
        reportTitle: reportDef(s.report_type)?.title ?? s.report_type,
      })),
    });
  });

  router.get('/new', async (req, res) => {
    const def = reportDef(str(req.query.type));
    if (!def)
      return res.render('reports/schedule-choose', {
        title: 'Choose a report to schedule',
        reports: REPORTS,
      });
    const scope = res.locals.scope!;
    await renderForm(req, res, {
      def,
      errors: [],
      values: {
        name: def.title,
        reportType: def.type,
        format: 'pdf',
        frequency: 'daily',
        timeOfDay: '07:00',
        timeZone: scope.label.timeZone,
        recipients: [scope.user.id],
      },
    });
  });

  router.post('/', async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const { def, form, filters, errors } = await parse(res, body);
    if (errors.length || !form.ok || !filters.ok)
      return renderForm(req, res, { def, values: body, errors, status: 400 });
    const id = await svc.create(scopeOf(res), form.data, filters.data);
    req.session.flash = `“${form.data.name}” is scheduled.`;
    res.redirect(303, `/reports/schedules/${id}`);
  });

  router.get('/:id', async (req, res) => {
    const id = idOf(req.params.id);
    const s = await svc.find(scopeOf(res), id);
    const runs = await svc.runs(scopeOf(res), id);
    const users = await deps
      .db('users')
      .whereIn('id', s.recipient_user_ids)
      .andWhere('customer_id', s.customer_id)
      .select('id', 'name', 'status');
    const flash = req.session.flash;
    delete req.session.flash;
    const def = reportDef(s.report_type);
    res.render('reports/schedule', {
      title: `Scheduled report: ${s.name}`,
      s,
      flash,
      runs,
      recipients: users as { id: number; name: string; status: string }[],
      timing: describeTiming(s),
      reportTitle: def?.title ?? s.report_type,
      filters: def
        ? def.fields
            .filter((f) => s.filters[f.name] !== undefined && s.filters[f.name] !== '')
            .map((f) => `${f.label}: ${String(s.filters[f.name])}`)
        : [],
    });
  });

  router.get('/:id/edit', async (req, res) => {
    const s = await svc.find(scopeOf(res), idOf(req.params.id));
    const def = reportDef(s.report_type);
    if (!def) throw new NotFound();
    const values: Record<string, unknown> = {
      name: s.name,
      reportType: s.report_type,
      format: s.format,
      frequency: s.frequency,
      weekday: s.weekday ?? '',
      monthDay: s.month_day ?? '',
      timeOfDay: s.time_of_day,
      timeZone: s.time_zone,
      recipients: s.recipient_user_ids,
    };
    for (const [k, v] of Object.entries(s.filters as Filters)) values[`filter_${k}`] = v;
    await renderForm(req, res, { def, values, errors: [], scheduleId: s.id });
  });

  router.post('/:id', async (req, res) => {
    const id = idOf(req.params.id);
    await svc.find(scopeOf(res), id);
    const body = req.body as Record<string, unknown>;
    const { def, form, filters, errors } = await parse(res, body);
    if (errors.length || !form.ok || !filters.ok)
      return renderForm(req, res, { def, values: body, errors, scheduleId: id, status: 400 });
    await svc.update(scopeOf(res), id, form.data, filters.data);
    req.session.flash = 'Changes saved.';
    res.redirect(303, `/reports/schedules/${id}`);
  });

  for (const [action, active] of [
    ['pause', false],
    ['resume', true],
  ] as const) {
    router.post(`/:id/${action}`, async (req, res) => {
      const id = idOf(req.params.id);
      await svc.setActive(scopeOf(res), id, active);
      req.session.flash = active
        ? 'Schedule resumed.'
        : 'Schedule paused. No e-mails are sent until you resume it.';
      res.redirect(303, `/reports/schedules/${id}`);
    });
  }

  router.post('/:id/delete', async (req, res) => {
    await svc.remove(scopeOf(res), idOf(req.params.id));
    req.session.flash = 'Schedule deleted.';
    res.redirect(303, '/reports/schedules');
  });

  router.post('/:id/runs/:runId/resend', async (req, res) => {
    const id = idOf(req.params.id);
    await svc.resend(scopeOf(res), id, idOf(req.params.runId));
    req.session.flash = 'The report is being sent again.';
    res.redirect(303, `/reports/schedules/${id}`);
  });

  return router;
}

/** `/reports/files/:runId?expires=&sig=`: a large scheduled report, by signed link only. */
export function reportFileRoutes(deps: Deps): Router {
  const router = Router();
  router.get('/:runId', async (req, res) => {
    const runId = idOf(req.params.runId);
    const ok = verifyDownload(
      deps.config.sessionSecret,
      runId,
      Number(req.query.expires),
      str(req.query.sig),
      deps.clock.now(),
    );
    if (!ok) throw new NotFound();
    const run = await deps.reportSchedules.runFile(runId);
    if (!run) throw new NotFound();
    const file = path.join(deps.config.dataDir, 'report-files', path.basename(run.storageKey));
    if (!fs.existsSync(file)) throw new NotFound();
    const ext = path.extname(run.fileName).slice(1) as keyof typeof CONTENT_TYPES;
    res.setHeader('Content-Type', CONTENT_TYPES[ext] ?? 'application/octet-stream');
    res.setHeader('Content-Disposition', `attachment; filename="${path.basename(run.fileName)}"`);
    fs.createReadStream(file).pipe(res);
  });
  return router;
}
