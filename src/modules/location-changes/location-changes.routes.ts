/**
 * `/assets/location-change/new` → review → submit (mounted behind assets.request_location_change),
 * and `/location-change-requests/:id` with the lessor's status form.
 */
import { Router, type Request, type Response } from 'express';
import type { Deps } from '../../container.ts';
import { requireRole } from '../../http/auth.ts';
import { NotFound, ValidationFailed, type FieldError } from '../../http/errors.ts';
import { parseForm } from '../../http/forms.ts';
import { addDays } from '../../lib/clock.ts';
import {
  CA_PROVINCES,
  COUNTRIES,
  US_STATES,
  addressKind,
  countryName,
  formatAddress,
  regionLabel,
} from './address.ts';
import type { OpenRequestRef } from './location-changes.repository.ts';
import {
  MAX_DAYS_AHEAD,
  locationChangeSchema,
  parseAssetIds,
  statusChangeSchema,
  type LocationChangeInput,
} from './location-changes.schemas.ts';
import { InvalidTransition, OpenRequestConflict } from './location-changes.service.ts';
import { idParam } from '../assets/assets.schemas.ts';

declare module 'express-session' {
  interface SessionData {
    /** The location-change answers between the form and the review (nothing asked twice). */
    locationChangeDraft?: { input: LocationChangeInput; offered: number[] | null };
  }
}

const BASE = '/assets/location-change';

const ctx = (req: Request, res: Response) => ({ ip: req.ip ?? null, requestId: res.locals.requestId });

function valuesOf(input: LocationChangeInput): Record<string, unknown> {
  const a = input.address;
  return {
    asset: input.assetIds.map(String),
    addressLine1: a.line1,
    addressLine2: a.line2 ?? '',
    city: a.city,
    country: a.country,
    region: a.region ?? '',
    postalCode: a.postalCode ?? '',
    effectiveDate: input.effectiveDate,
    contactName: input.contactName,
    contactPhone: input.contactPhone,
    contactEmail: input.contactEmail,
    reason: input.reason,
  };
}

export function locationChangeFormRoutes(deps: Deps): Router {
  const router = Router();
  const service = deps.locationChanges;

  async function renderForm(
    res: Response,
    o: {
      offered: number[] | null;
      values: Record<string, unknown>;
      errors?: FieldError[];
      conflicts?: OpenRequestRef[];
      status?: number;
    },
  ) {
    const scope = res.locals.scope!;
    const checked = parseAssetIds(o.values.asset);
    const choices = await service.formChoices(scope, o.offered, checked);
    const values = { ...o.values };
    if (typeof values.country !== 'string' || !values.country) {
      values.country = choices.assets[0]?.country ?? (scope.label.primaryCurrency === 'CAD' ? 'CA' : 'US');
    }
    const errors = o.errors ?? [];
    res.status(o.status ?? (errors.length ? 400 : 200)).render('location-changes/new', {
      title: errors.length ? 'Error: Request an asset location change' : 'Request an asset location change',
      errors,
      conflicts: o.conflicts ?? [],
      values,
      checked: checked.map(String),
      offered: o.offered,
      choices,
      kind: addressKind(String(values.country)),
      countries: COUNTRIES,
      usStates: US_STATES,
      caProvinces: CA_PROVINCES,
      today: scope.today,
      maxDate: addDays(scope.today, MAX_DAYS_AHEAD),
      formatAddress,
    });
  }

  router.get('/new', async (req, res) => {
    const draft = req.session.locationChangeDraft;
    if (req.query.edit === '1' && draft) {
      return renderForm(res, { offered: draft.offered, values: valuesOf(draft.input) });
    }
    // ?asset=1&asset=2 offers only those; with &all=1, every active asset with those ticked.
    const chosen = parseAssetIds(req.query.asset);
    await renderForm(res, {
      offered: chosen.length && req.query.all !== '1' ? chosen : null,
      values: { asset: chosen.map(String) },
    });
  });

  router.post('/new', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const offeredIds = parseAssetIds(body.offered);
    const offered = offeredIds.length ? offeredIds : null;
    // "Update address fields" re-shows the form for another country. It is also the form's first
    // submit button, so Enter in a field lands here: with the country unchanged, carry on.
    const shown = typeof body.shownCountry === 'string' ? body.shownCountry : '';
    if (body.action === 'country' && addressKind(String(body.country)) !== addressKind(shown))
      return renderForm(res, { offered, values: body });
    const parsed = parseForm(locationChangeSchema(res.locals.scope!.today), body);
    if (!parsed.ok) return renderForm(res, { offered, values: parsed.values, errors: parsed.errors });
    try {
      await service.check(res.locals.scope!, parsed.data.assetIds);
    } catch (err) {
      if (err instanceof OpenRequestConflict)
        return renderForm(res, {
          offered,
          values: body,
          conflicts: err.conflicts,
          status: 409,
          errors: conflictErrors(err),
        });
      if (err instanceof ValidationFailed)
        return renderForm(res, { offered, values: body, errors: err.errors });
      throw err;
    }
    req.session.locationChangeDraft = { input: parsed.data, offered };
    req.session.save(() => res.redirect(303, `${BASE}/review`));
  });

  router.get('/review', async (req, res) => {
    const draft = req.session.locationChangeDraft;
    if (!draft) return res.redirect(303, `${BASE}/new`);
    const assets = await deps.assetsRepo.findMany(res.locals.scope!, draft.input.assetIds);
    res.render('location-changes/review', {
      title: 'Check your location change request',
      input: draft.input,
      assets,
      formatAddress,
      regionLabel,
      countryName,
    });
  });

  router.post('/review', async (req, res) => {
    const scope = res.locals.scope!;
    const draft = req.session.locationChangeDraft;
    if (!draft) return res.redirect(303, `${BASE}/new`);
    const values = valuesOf(draft.input);
    // The day may have turned since the form: check the answers again before submitting.
    const parsed = parseForm(locationChangeSchema(scope.today), values);
    if (!parsed.ok) return renderForm(res, { offered: draft.offered, values, errors: parsed.errors });
    let created;
    try {
      created = await service.submit(scope, parsed.data, ctx(req, res));
    } catch (err) {
      if (err instanceof OpenRequestConflict)
        return renderForm(res, {
          offered: draft.offered,
          values,
          conflicts: err.conflicts,
          status: 409,
          errors: conflictErrors(err),
        });
      if (err instanceof ValidationFailed)
        return renderForm(res, { offered: draft.offered, values, errors: err.errors });
      throw err;
    }
    delete req.session.locationChangeDraft;
    req.session.flash = `Location change request ${created.number} submitted. ${scope.label.name} will review it.`;
    req.session.save(() => res.redirect(303, `/location-change-requests/${created.id}`));
  });

  return router;
}

function conflictErrors(err: OpenRequestConflict): FieldError[] {
  return err.conflicts.map((c) => ({
    field: 'asset',
    message: `${c.assetNumber} already has an open location change request (${c.requestNumber})`,
  }));
}

export function locationChangeRequestRoutes(deps: Deps): Router {
  const router = Router();
  const service = deps.locationChanges;

  async function renderRequest(
    req: Request,
    res: Response,
    id: number,
    o: { errors?: FieldError[]; values?: Record<string, unknown>; status?: number } = {},
  ) {
    const detail = await service.show(res.locals.scope!, id);
    const flash = req.session.flash;
    if (flash) delete req.session.flash;
    const errors = o.errors ?? [];
    res.status(o.status ?? (errors.length ? 400 : 200)).render('location-changes/show', {
      title: `${errors.length ? 'Error: ' : ''}Location change request ${detail.request.number}`,
      ...detail,
      flash,
      errors,
      values: o.values ?? {},
      formatAddress,
      regionLabel,
      countryName,
    });
  }

  const parseId = (raw: unknown): number => {
    const id = idParam.safeParse(raw);
    if (!id.success) throw new NotFound();
    return id.data;
  };

  router.get('/:id', async (req, res) => {
    await renderRequest(req, res, parseId(req.params.id));
  });

  router.post('/:id/status', requireRole('superuser'), async (req, res) => {
    const id = parseId(req.params.id);
    const parsed = parseForm(statusChangeSchema, req.body);
    if (!parsed.ok) return renderRequest(req, res, id, { errors: parsed.errors, values: parsed.values });
    try {
      const r = await service.changeStatus(res.locals.scope!, id, parsed.data, ctx(req, res));
      req.session.flash = `${r.number} is now ${r.status.replace('_', ' ')}.`;
    } catch (err) {
      if (!(err instanceof InvalidTransition)) throw err;
      return renderRequest(req, res, id, {
        errors: [{ field: 'status', message: err.message }],
        values: parsed.data,
        status: 409,
      });
    }
    req.session.save(() => res.redirect(303, `/location-change-requests/${id}`));
  });

  return router;
}
