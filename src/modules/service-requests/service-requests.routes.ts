/**
 * `/service-requests` (list, new, one request with its comments). Mounted behind requireAuth,
 * requireCustomer and service_requests.manage; the status change also needs the superuser role.
 * The new-request and comment forms are multipart with optional attachments: `attachmentsParser`
 * is mounted in app.ts before the CSRF check (like document uploads) and the files go through
 * the documents module's rules, storage and sha256 (deps.documents).
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Deps } from '../../container.ts';
import { requireRole } from '../../http/auth.ts';
import { ValidationFailed, type FieldError } from '../../http/errors.ts';
import { parseForm } from '../../http/forms.ts';
import { pageHref, pageQuery } from '../../http/pagination.ts';
import { idParam } from '../contracts/contracts.schemas.ts';
import { multipartParser, uploadedFiles } from '../documents/documents.routes.ts';
import { ALLOWED_TEXT } from '../documents/documents.rules.ts';
import { SR_CATEGORIES, SR_CATEGORY_LABELS, SR_PRIORITIES, SR_STATUSES } from './service-requests.service.ts';

const PAGE_SIZE = 20;
export const MAX_ATTACHMENTS = 5;

/** Multipart parser for POST /service-requests and /service-requests/:id/comments (see app.ts). */
export const attachmentsParser = multipartParser('files', MAX_ATTACHMENTS);
const ATTACH_HINT = `Optional. Up to ${MAX_ATTACHMENTS} files: ${ALLOWED_TEXT}, each up to 10 MB.`;
const ctx = (req: Request, res: Response) => ({
  ip: req.ip ?? null,
  requestId: (res.locals.requestId as string | undefined) ?? null,
});

const optionalId = z
  .string()
  .optional()
  .refine((v) => !v || /^[1-9]\d{0,9}$/.test(v), 'Choose from the list')
  .transform((v) => (v ? Number(v) : undefined));

const newForm = z.object({
  category: z.enum(SR_CATEGORIES, { error: 'Choose what the request is about' }),
  contract: optionalId,
  asset: optionalId,
  subject: z
    .string({ error: 'Enter a subject' })
    .trim()
    .min(1, 'Enter a subject')
    .max(150, 'Subject must be 150 characters or fewer'),
  description: z
    .string({ error: 'Describe what you need' })
    .trim()
    .min(1, 'Describe what you need')
    .max(5000, 'Description must be 5,000 characters or fewer'),
  priority: z.enum(SR_PRIORITIES, { error: 'Choose a priority' }),
});

const commentForm = z.object({
  body: z
    .string({ error: 'Enter a comment' })
    .trim()
    .min(1, 'Enter a comment')
    .max(5000, 'Comment must be 5,000 characters or fewer'),
});
const statusForm = z.object({ status: z.enum(SR_STATUSES, { error: 'Choose a status' }) });

const listQuery = z.object({
  status: z.enum(SR_STATUSES).optional().catch(undefined),
  page: pageQuery,
});

export function serviceRequestsRoutes(deps: Deps): Router {
  const router = Router();
  const sr = deps.serviceRequests;

  const renderNew = async (res: Response, values: Record<string, unknown>, errors: FieldError[] = []) => {
    const options = await sr.options(res.locals.scope!);
    res.status(errors.length ? 400 : 200).render('service-requests/new', {
      title: `${errors.length ? 'Error: ' : ''}Raise a service request`,
      options,
      values,
      errors,
      categories: SR_CATEGORIES,
      categoryLabels: SR_CATEGORY_LABELS,
      attachHint: ATTACH_HINT,
    });
  };

  /** The request's files checked by the documents' rules, or the refusal as a field error. */
  const attachmentsOf = async (req: Request, serviceRequestId?: number) => {
    if (req.uploadError) return { errors: [{ field: 'files', message: req.uploadError }], files: [] };
    const files = uploadedFiles(req);
    if (!files.length) return { errors: [], files: [] };
    const checked = await deps.documents.prepareAttachments(
      files,
      serviceRequestId ? { serviceRequestId } : undefined,
    );
    return checked.ok
      ? { errors: [], files: checked.files }
      : { errors: [{ field: 'files', message: checked.message }], files: [] };
  };

  const renderShow = async (
    req: Request,
    res: Response,
    id: number,
    errors: FieldError[] = [],
    values = {},
  ) => {
    const scope = res.locals.scope!;
    const [r, comments] = await Promise.all([sr.get(scope, id), sr.comments(scope, id)]);
    const attachments = await deps.documents.listForServiceRequest(scope, id);
    const flash = req.session.flash;
    delete req.session.flash;
    res.status(errors.length ? 400 : 200).render('service-requests/show', {
      title: `${errors.length ? 'Error: ' : ''}Service request ${r.number}`,
      r,
      comments,
      attachments,
      attachHint: ATTACH_HINT,
      flash,
      errors,
      values,
      statuses: SR_STATUSES,
      categoryLabels: SR_CATEGORY_LABELS,
      isLessor: scope.user.role === 'superuser',
    });
  };

  router.get('/', async (req, res) => {
    const query = listQuery.parse(req.query);
    const result = await sr.list(res.locals.scope!, { status: query.status }, query.page, PAGE_SIZE);
    res.render('service-requests/index', {
      title: query.status ? 'Service requests: filtered results' : 'Service requests',
      query,
      result,
      statuses: SR_STATUSES,
      categoryLabels: SR_CATEGORY_LABELS,
      pageHref: (p: number) => pageHref('/service-requests', { ...req.query }, p),
    });
  });

  router.get('/new', async (req, res) => {
    const q = req.query as Record<string, unknown>;
    await renderNew(res, {
      contract: typeof q.contract === 'string' ? q.contract : '',
      asset: typeof q.asset === 'string' ? q.asset : '',
      priority: 'normal',
    });
  });

  router.post('/', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const form = parseForm(newForm, body);
    const attached = await attachmentsOf(req);
    const errors = [...(form.ok ? [] : form.errors), ...attached.errors];
    if (!form.ok || errors.length) return renderNew(res, form.ok ? body : form.values, errors);
    const { contract, asset, ...rest } = form.data;
    const scope = res.locals.scope!;
    try {
      const created = await deps.documents.withStoredFiles(attached.files, (stored) =>
        sr.create(scope, { ...rest, contractId: contract, assetId: asset }, ctx(req, res), (trx, id) =>
          deps.documents.recordAttachments(scope, trx, id, stored, ctx(req, res)),
        ),
      );
      req.session.flash = `Service request ${created.number} raised${
        attached.files.length
          ? ` with ${attached.files.length} ${attached.files.length === 1 ? 'attachment' : 'attachments'}`
          : ''
      }. We will reply here.`;
      res.redirect(303, `/service-requests/${created.id}`);
    } catch (e) {
      if (e instanceof ValidationFailed) return renderNew(res, body, e.errors);
      throw e;
    }
  });

  router.get('/:id', async (req, res) => {
    await renderShow(req, res, idParam(req.params.id));
  });

  router.post('/:id/comments', async (req, res) => {
    const id = idParam(req.params.id);
    const scope = res.locals.scope!;
    await sr.get(scope, id); // another customer's request: 404 before looking at any file
    const body = (req.body ?? {}) as Record<string, unknown>;
    const form = parseForm(commentForm, body);
    const attached = await attachmentsOf(req, id);
    const errors = [...(form.ok ? [] : form.errors), ...attached.errors];
    if (!form.ok || errors.length) return renderShow(req, res, id, errors, form.ok ? body : form.values);
    await deps.documents.withStoredFiles(attached.files, (stored) =>
      sr.comment(scope, id, form.data.body, ctx(req, res), (trx) =>
        deps.documents.recordAttachments(scope, trx, id, stored, ctx(req, res)),
      ),
    );
    req.session.flash = attached.files.length
      ? `Comment added with ${attached.files.length} ${attached.files.length === 1 ? 'attachment' : 'attachments'}.`
      : 'Comment added.';
    res.redirect(303, `/service-requests/${id}#comments`);
  });

  router.post('/:id/status', requireRole('superuser'), async (req, res) => {
    const id = idParam(req.params.id);
    const form = parseForm(statusForm, req.body);
    if (!form.ok) return renderShow(req, res, id, form.errors, form.values);
    const r = await sr.setStatus(res.locals.scope!, id, form.data.status, ctx(req, res));
    req.session.flash = `${r.number} is now ${r.status.replace(/_/g, ' ')}.`;
    res.redirect(303, `/service-requests/${id}`);
  });

  return router;
}
