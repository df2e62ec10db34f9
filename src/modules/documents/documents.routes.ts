/**
 * Contract documents.
 * - uploadParser: multer (memory, 10 MB, one file) for POST /contracts/:contractId/documents. It is
 *   mounted in app.ts BEFORE the global CSRF check, behind requireAuth/requireCustomer and
 *   documents.upload, so the check can read `_csrf` from the parsed multipart fields (the hidden
 *   field comes first in the form, so it is parsed even when the file is too large).
 * - contractDocumentsRoutes, at /contracts/:contractId/documents (contracts.view; POST also
 *   documents.upload): list and upload form, upload.
 * - documentDownloadRoutes, at /documents (contracts.view, or service_requests.manage for a service
 *   request's attachment): download as an attachment.
 * - multipartParser/uploadedFiles: also used by service-request attachments.
 */
import { Router, type Request, type RequestHandler, type Response } from 'express';
import multer from 'multer';
import { z } from 'zod';
import type { Deps } from '../../container.ts';
import { requirePermission } from '../../http/auth.ts';
import { Forbidden, HttpError, type FieldError } from '../../http/errors.ts';
import { hasPermission } from '../../http/types.ts';
import { parseForm } from '../../http/forms.ts';
import { idParam } from '../contracts/contracts.schemas.ts';
import { ALLOWED_TEXT, CATEGORY_LABELS, DOCUMENT_CATEGORIES, MAX_BYTES } from './documents.rules.ts';

declare module 'express-serve-static-core' {
  interface Request {
    /** Set by uploadParser when multer refused the body (too large, too many parts). */
    uploadError?: string;
  }
}

/**
 * A multer (memory) parser with the documents' limits: `maxFiles` files of at most 10 MB under the
 * form field `field`. A refusal by multer is put on `req.uploadError` (the handler re-renders its
 * form with it) instead of failing the request. Forms put the file input last, so every typed
 * field is already parsed when a file is refused for its size.
 */
export function multipartParser(field: string, maxFiles: number, maxFields = 10): RequestHandler {
  const parse = multer({
    storage: multer.memoryStorage(),
    preservePath: true, // keep '../' in names so the rules refuse them instead of silently stripping
    limits: {
      fileSize: MAX_BYTES,
      files: maxFiles,
      fields: maxFields,
      fieldSize: 25_000,
      parts: maxFields + maxFiles,
      fieldNameSize: 50,
    },
  });
  const parser = maxFiles === 1 ? parse.single(field) : parse.array(field, maxFiles);
  return (req, res, next) => {
    parser(req, res, (err: unknown) => {
      if (!err) return next();
      if (err instanceof multer.MulterError) {
        req.uploadError =
          err.code === 'LIMIT_FILE_SIZE'
            ? 'The file must be 10 MB or smaller'
            : err.code === 'LIMIT_UNEXPECTED_FILE' || err.code === 'LIMIT_FILE_COUNT'
              ? maxFiles === 1
                ? 'Choose one file'
                : `Choose up to ${maxFiles} files`
              : 'The upload could not be read';
        req.body ??= {};
        return next();
      }
      // Anything else busboy could not read (a broken boundary, a cut-off body, a malformed part
      // header) is the sender's: a 400 that says so. Without a readable body there is no
      // `_csrf` to check, so the form cannot be re-shown; nothing was stored.
      next(new HttpError(400, 'The upload could not be read. Go back, choose the file again and retry.'));
    });
  };
}

export const uploadParser: RequestHandler = multipartParser('file', 1);

/** The files multer parsed, with their names decoded (multer reads the header as latin1; browsers send UTF-8). */
export function uploadedFiles(req: Request): { originalName: string; bytes: Buffer }[] {
  const files = req.file ? [req.file] : Array.isArray(req.files) ? req.files : [];
  return files.map((f) => ({
    originalName: Buffer.from(f.originalname, 'latin1').toString('utf8'),
    bytes: f.buffer,
  }));
}

const ctx = (req: Request, res: Response) => ({
  ip: req.ip ?? null,
  requestId: (res.locals.requestId as string | undefined) ?? null,
});

const uploadForm = z.object({
  category: z.enum(DOCUMENT_CATEGORIES, { error: 'Choose a category' }),
  note: z
    .string()
    .trim()
    .max(500, 'Note must be 500 characters or fewer')
    .optional()
    .transform((v) => v || undefined),
});

export function contractDocumentsRoutes(deps: Deps): Router {
  const router = Router({ mergeParams: true });
  const contractIdOf = (req: Request): number => idParam((req.params as Record<string, string>).contractId);

  const render = async (
    req: Request,
    res: Response,
    errors: FieldError[] = [],
    values: Record<string, unknown> = {},
  ) => {
    const scope = res.locals.scope!;
    const id = contractIdOf(req);
    const [contract, documents] = await Promise.all([
      deps.documents.contractOf(scope, id),
      deps.documents.list(scope, id),
    ]);
    const flash = req.session.flash;
    delete req.session.flash;
    res.status(errors.length ? 400 : 200).render('documents/index', {
      title: `${errors.length ? 'Error: ' : ''}Documents for ${contract.number}`,
      contract,
      documents,
      errors,
      values,
      flash,
      categories: DOCUMENT_CATEGORIES,
      categoryLabels: CATEGORY_LABELS,
      allowedText: ALLOWED_TEXT,
    });
  };

  router.get('/', async (req, res) => {
    await render(req, res);
  });

  router.post('/', requirePermission('documents.upload'), async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const errors: FieldError[] = [];
    if (req.uploadError) errors.push({ field: 'file', message: req.uploadError });
    else if (!req.file)
      errors.push({ field: 'file', message: `Choose a file: ${ALLOWED_TEXT}, up to 10 MB` });
    const form = parseForm(uploadForm, body);
    if (!form.ok) errors.push(...form.errors);
    if (errors.length || !form.ok || !req.file) return render(req, res, errors, body);
    const result = await deps.documents.upload(
      res.locals.scope!,
      contractIdOf(req),
      {
        ...uploadedFiles(req)[0]!,
        category: form.data.category,
        note: form.data.note,
      },
      ctx(req, res),
    );
    if (!result.ok) return render(req, res, [{ field: result.field, message: result.message }], body);
    req.session.flash = `${result.fileName} uploaded.`;
    res.redirect(303, `/contracts/${contractIdOf(req)}/documents`);
  });

  return router;
}

export function documentDownloadRoutes(deps: Deps): Router {
  const router = Router();
  router.get('/:id/download', async (req, res) => {
    const doc = await deps.documents.get(res.locals.scope!, idParam(req.params.id));
    // Mounted for contracts.view or service_requests.manage: each kind needs its own permission.
    const needs = doc.serviceRequestId ? 'service_requests.manage' : 'contracts.view';
    if (!req.user || !hasPermission(req.user, needs)) throw new Forbidden();
    const bytes = await deps.documents.content(doc);
    const ascii = doc.fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
    res.setHeader('Content-Type', doc.mediaType);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader(
      'Content-Disposition',
      `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(doc.fileName)}`,
    );
    res.setHeader('Content-Length', String(bytes.length));
    res.end(bytes);
  });
  return router;
}
