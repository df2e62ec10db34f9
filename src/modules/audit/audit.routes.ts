/** /admin/audit: the scope's customer's audit log. Mounted behind the admin guards. */
import { Router } from 'express';
import { z } from 'zod';
import { pageHref, pageQuery, pageOf } from '../../http/pagination.ts';
import type { Deps } from '../../container.ts';
import { actionName, describeEntry } from './audit.words.ts';

const PAGE_SIZE = 50;
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine(
    (s) =>
      !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s),
  );

const query = z.object({
  actor: z.string().trim().max(100).catch(''),
  action: z.string().trim().max(100).catch(''),
  from: isoDate.or(z.literal('')).catch(''),
  to: isoDate.or(z.literal('')).catch(''),
  page: pageQuery,
});

const show = (x: unknown): string =>
  Array.isArray(x)
    ? x.join(', ') || 'none'
    : typeof x === 'object' && x
      ? JSON.stringify(x)
      : x === undefined
        ? '—'
        : String(x as string | number | boolean | null);

/**
 * What an entry changed, as short lines: "key: before → after" for the keys that differ, or the
 * values themselves when there is only one side. Secrets never reach the log in the first place.
 */
function changes(before: unknown, after: unknown): string[] {
  const b = before && typeof before === 'object' ? (before as Record<string, unknown>) : undefined;
  const a = after && typeof after === 'object' ? (after as Record<string, unknown>) : undefined;
  if (!b && !a) return [];
  if (!b) return Object.entries(a!).map(([k, v]) => `${k}: ${show(v)}`);
  if (!a) return Object.entries(b).map(([k, v]) => `${k} was ${show(v)}`);
  return [...new Set([...Object.keys(b), ...Object.keys(a)])]
    .filter((k) => show(b[k]) !== show(a[k]))
    .map((k) => `${k}: ${show(b[k])} → ${show(a[k])}`);
}

export function auditRoutes(deps: Deps): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const scope = res.locals.scope!;
    const f = query.parse(req.query);
    const [{ rows, total }, actions] = await Promise.all([
      deps.audit.list(
        scope.customerId,
        {
          actor: f.actor,
          action: f.action,
          from: f.from || null,
          to: f.to || null,
          timeZone: scope.label.timeZone,
        },
        (f.page - 1) * PAGE_SIZE,
        PAGE_SIZE,
      ),
      deps.audit.actions(scope.customerId),
    ]);
    res.render('audit/index', {
      title: f.page > 1 ? `Audit log, page ${f.page}` : 'Audit log',
      f,
      actions,
      result: pageOf(
        rows.map((r) => ({
          ...r,
          sentence: describeEntry({
            ...r,
            subjectIsActor: r.entityType === 'user' && r.entityId === String(r.actorUserId),
          }),
          changes: changes(r.before, r.after),
        })),
        f.page,
        PAGE_SIZE,
        total,
      ),
      actionName,
      pageHref: (p: number) => pageHref('/admin/audit', f, p),
    });
  });
  return router;
}
