/**
 * The customer a request acts for comes from the session only: a lessee's own customer, or
 * the one a superuser chose in the switcher. Sets res.locals.scope for services.
 */
import type { RequestHandler } from 'express';
import type { Clock } from '../lib/clock.ts';
import type { CustomersRepository } from '../modules/customers/customers.repository.ts';

export function loadCurrentCustomer(customers: CustomersRepository, clock: Clock): RequestHandler {
  return async (req, res, next) => {
    const user = req.user;
    if (!user) return next();
    const id = user.role === 'superuser' ? req.session.customerId : user.customerId;
    if (id == null) return next();
    // A lessee's customer came with the user (one statement); a superuser's choice is read here.
    const customer =
      user.role !== 'superuser' && user.ownCustomer !== undefined
        ? (user.ownCustomer ?? undefined)
        : await customers.findActive(id);
    if (!customer) {
      if (user.role === 'superuser') delete req.session.customerId;
      return next();
    }
    const label = res.locals.label;
    res.locals.customer = customer;
    res.locals.scope = {
      customerId: customer.id,
      labelId: label.id,
      label,
      customer,
      user,
      today: clock.today(label.timeZone),
      dataVersion: customer.dataVersion,
    };
    next();
  };
}

/** Pages that show a customer's data: a superuser without one is sent to the switcher. */
export const requireCustomer: RequestHandler = (req, res, next) => {
  if (res.locals.scope) return next();
  if (req.user?.role === 'superuser') {
    return res.redirect(
      303,
      `/customers/switch?returnTo=${encodeURIComponent(req.method === 'GET' ? req.originalUrl : '/')}`,
    );
  }
  // A lessee whose customer is inactive has nothing to see.
  req.logout(() => res.redirect(303, '/login'));
};
