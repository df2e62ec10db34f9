/**
 * /admin/users: list, invite, edit, deactivate/activate. Mounted behind requireAuth, noStore,
 * requireCustomer and requireRole('portal_admin', 'superuser'); the customer is the scope's.
 */
import { PERMISSION_TEXT } from '../../domain/permissions.ts';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { Conflict, ValidationFailed, type FieldError } from '../../http/errors.ts';
import { parseForm } from '../../http/forms.ts';
import { pageHref, pageQuery } from '../../http/pagination.ts';
import { PERMISSIONS, type Permission } from '../../http/types.ts';
import type { Deps } from '../../container.ts';
import type { AdminUserRow } from './admin-users.repository.ts';
import type { Ctx, UserInput } from './admin-users.service.ts';

const PAGE_SIZE = 20;

const listQuery = z.object({
  q: z.string().trim().max(100).catch(''),
  role: z.enum(['', 'user', 'portal_admin']).catch(''),
  status: z.enum(['', 'invited', 'active', 'inactive']).catch(''),
  page: pageQuery,
});

const userSchema = z.object({
  name: z
    .string({ error: 'Enter the person’s name' })
    .trim()
    .min(1, 'Enter the person’s name')
    .max(200, 'Name must be 200 characters or fewer'),
  email: z
    .string({ error: 'Enter an email address' })
    .trim()
    .min(1, 'Enter an email address')
    .max(254, 'Email address must be 254 characters or fewer')
    .email('Enter an email address in the correct format, like name@example.com')
    .transform((s) => s.toLowerCase()),
  role: z.enum(['user', 'portal_admin'], { error: 'Choose a role: user or portal admin' }),
  // Unknown permissions are dropped; only the known list can ever be stored.
  permissions: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((v) =>
      ([] as string[])
        .concat(v ?? [])
        .filter((p): p is Permission => (PERMISSIONS as readonly string[]).includes(p)),
    ),
});

/** The permission checkboxes, grouped by module, in the words of src/domain/permissions.ts. */
const group = (legend: string, values: Permission[]) => ({
  legend,
  options: values.map((value) => ({ value, text: PERMISSION_TEXT[value] })),
});
export const PERMISSION_GROUPS: { legend: string; options: { value: Permission; text: string }[] }[] = [
  group('Invoices & Payments', ['invoices.view', 'payments.make', 'autopay.manage']),
  group('Contracts', ['contracts.view', 'documents.upload', 'payoff.request', 'service_requests.manage']),
  group('Assets', ['assets.view', 'assets.request_location_change']),
  group('Reports', ['reports.run', 'reports.schedule']),
];

const ctxOf = (_deps: Deps, req: Request, res: Response): Ctx => ({
  ip: req.ip ?? null,
  requestId: res.locals.requestId,
});

const idOf = (req: Request): number => {
  const raw = String(req.params.id);
  return /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
};

function takeFlash(req: Request): string | undefined {
  const flash = req.session.flash;
  delete req.session.flash;
  return flash;
}

export function adminUsersRoutes(deps: Deps): Router {
  const router = Router();

  const renderForm = (
    res: Response,
    status: number,
    locals: { user?: AdminUserRow; values: Record<string, unknown>; errors: FieldError[]; flash?: string },
  ) => {
    const v = locals.values;
    res.status(status).render(locals.user ? 'admin-users/edit' : 'admin-users/new', {
      title: locals.user ? `User: ${locals.user.name}` : 'Invite a user',
      groups: PERMISSION_GROUPS,
      user: locals.user,
      flash: locals.flash,
      errors: locals.errors,
      values: {
        name: v.name ?? '',
        email: v.email ?? '',
        role: v.role ?? 'user',
        permissions: ([] as unknown[]).concat(v.permissions ?? []),
      },
      isSelf: locals.user?.id === res.locals.scope!.user.id,
    });
  };

  router.get('/', async (req, res) => {
    const f = listQuery.parse(req.query);
    const result = await deps.adminUsers.list(res.locals.scope!, f, f.page, PAGE_SIZE);
    res.render('admin-users/index', {
      title: f.page > 1 ? `Users, page ${f.page}` : 'Users',
      f,
      result,
      flash: takeFlash(req),
      pageHref: (p: number) => pageHref('/admin/users', f, p),
    });
  });

  router.get('/new', (_req, res) => renderForm(res, 200, { values: {}, errors: [] }));

  router.post('/new', async (req, res) => {
    const form = parseForm(userSchema, req.body);
    if (!form.ok) return renderForm(res, 400, { values: form.values, errors: form.errors });
    try {
      await deps.adminUsers.create(res.locals.scope!, form.data as UserInput, ctxOf(deps, req, res));
    } catch (e) {
      if (e instanceof ValidationFailed) return renderForm(res, 400, { values: form.data, errors: e.errors });
      throw e;
    }
    // The same answer when the address belongs to someone outside this customer (see the service).
    req.session.flash = `Invitation sent to ${form.data.email}.`;
    res.redirect(303, '/admin/users');
  });

  router.get('/:id', async (req, res) => {
    const user = await deps.adminUsers.get(res.locals.scope!, idOf(req));
    res.locals.twoStepOn = await deps.twoStep.isEnabled(user.id);
    renderForm(res, 200, {
      user,
      values: user as unknown as Record<string, unknown>,
      errors: [],
      flash: takeFlash(req),
    });
  });

  router.post('/:id', async (req, res) => {
    const scope = res.locals.scope!;
    const user = await deps.adminUsers.get(scope, idOf(req));
    res.locals.twoStepOn = await deps.twoStep.isEnabled(user.id);
    const form = parseForm(userSchema, req.body);
    if (!form.ok) return renderForm(res, 400, { user, values: form.values, errors: form.errors });
    let saved: { signedOut: boolean };
    try {
      saved = await deps.adminUsers.update(scope, user.id, form.data as UserInput, ctxOf(deps, req, res));
    } catch (e) {
      if (e instanceof ValidationFailed)
        return renderForm(res, 400, { user, values: form.data, errors: e.errors });
      throw e;
    }
    req.session.flash = saved.signedOut
      ? `Saved. ${form.data.name} was signed out and will see the new permissions at their next sign-in.`
      : `Changes to ${form.data.name} saved.`;
    res.redirect(303, `/admin/users/${user.id}`);
  });

  // Lost phone and recovery codes: an admin switches the user's two-step sign-in off; they set it up again.
  router.post('/:id/two-step/reset', async (req, res) => {
    const scope = res.locals.scope!;
    const u = await deps.adminUsers.get(scope, idOf(req));
    if (u.id === scope.user.id)
      throw new Conflict('Use your own account page to change your two-step sign-in');
    await deps.twoStep.disable(u.id, {
      ip: req.ip ?? null,
      requestId: res.locals.requestId,
      customerId: scope.customerId,
      actorUserId: scope.user.id,
    });
    req.session.flash = `Two-step sign-in is off for ${u.name}. They can set it up again from their account page.`;
    res.redirect(303, `/admin/users/${u.id}`);
  });

  router.post('/:id/invitation', async (req, res) => {
    const u = await deps.adminUsers.resendInvite(res.locals.scope!, idOf(req), ctxOf(deps, req, res));
    req.session.flash = `A new invitation was sent to ${u.email}. Earlier links no longer work.`;
    res.redirect(303, `/admin/users/${u.id}`);
  });

  for (const action of ['deactivate', 'activate'] as const) {
    router.get(`/:id/${action}`, async (req, res) => {
      const user = await deps.adminUsers.get(res.locals.scope!, idOf(req));
      res.render('admin-users/confirm', {
        title: `${action === 'deactivate' ? 'Deactivate' : 'Activate'} ${user.name}?`,
        action,
        user,
        isSelf: user.id === res.locals.scope!.user.id,
        refusal: undefined,
      });
    });
    router.post(`/:id/${action}`, async (req, res) => {
      const scope = res.locals.scope!;
      let u: AdminUserRow;
      try {
        u = await deps.adminUsers.setActive(scope, idOf(req), action === 'activate', ctxOf(deps, req, res));
      } catch (e) {
        if (!(e instanceof Conflict)) throw e;
        // Self or last admin: the confirmation page again, with the reason (409).
        const user = await deps.adminUsers.get(scope, idOf(req));
        return res.status(409).render('admin-users/confirm', {
          title: `${action === 'deactivate' ? 'Deactivate' : 'Activate'} ${user.name}?`,
          action,
          user,
          isSelf: user.id === scope.user.id,
          refusal: e.message,
        });
      }
      req.session.flash =
        action === 'deactivate'
          ? `${u.name} is deactivated. Their sessions have ended and their report schedules are paused.`
          : `${u.name} is ${u.status === 'invited' ? 'invited again: send them a new invitation' : 'active again'}.`;
      res.redirect(303, `/admin/users/${u.id}`);
    });
  }

  return router;
}
