import type { Scope } from '../../http/types.ts';
import type { Clock } from '../../lib/clock.ts';
import { scopeCache } from '../../lib/scope-cache.ts';
import { ttlCache } from '../../lib/ttl-cache.ts';
import type { ActivitiesRepository, Activity } from '../activities/activities.repository.ts';
import {
  creditCorner,
  creditIn,
  invoiceCard,
  overdueDays,
  type CreditFigures,
  type InvoiceCard,
} from './home.figures.ts';
import type { ContractSummary, HomeRepository, PaymentSummary, PendingAction } from './home.repository.ts';
import { canOpen, pendingActionLink } from './home.links.ts';

const PENDING_KINDS = ['location_change', 'service_request', 'payoff_quote'] as const;
/** Activities read to fill the feed's ten lines with ones the user may open. */
const FEED_READ = 30;
const FEED_SHOWN = 10;

export interface Dashboard {
  invoices: InvoiceCard;
  payments: {
    latest: PaymentSummary | undefined;
    inProgress: PaymentSummary[];
    /** In-progress payments in the label's currency: not yet deducted from balances (docs/domain.md: at settlement). */
    inProgressMinor: number;
  };
  contracts: { recent: (ContractSummary & { overdueDays: number })[]; total: number; active: number };
  credit: {
    primary: CreditFigures;
    shown: CreditFigures;
    currencies: string[];
    unavailable: string | undefined;
  };
  /** Each item says who acts next: `you` (waiting on the customer) or the lessor. */
  pending: { items: (PendingAction & { href: string; waitingOn: 'you' | 'lessor' })[]; total: number };
  activities: Activity[];
}

/**
 * Home reads seven things of the customer's; they are kept per process for as long as the
 * customer's data version is unchanged (src/lib/scope-cache.ts: any payment, invoice, request
 * or contract change, in any process, moves it), so a refresh or a return to Home costs no
 * query. Exchange rates move only with the calendar and are shared by everyone for five minutes.
 */
const HOME_TTL_MS = 10 * 60_000;
const RATES_TTL_MS = 5 * 60_000;

export function createHomeService(repo: HomeRepository, activities: ActivitiesRepository, clock: Clock) {
  const now = () => clock.now().getTime();
  const load = async (scope: Scope, pendingKinds: string[]) => {
    const { customerId, labelId, today } = scope;
    const [balances, { latest, inProgress }, recent, counts, principal, exposure, pending, feed] =
      await Promise.all([
        repo.openBalances(customerId, labelId, today),
        repo.paymentSummaries(customerId, labelId),
        repo.recentContracts(customerId, labelId, today, 5),
        repo.contractCounts(customerId, labelId),
        repo.activePrincipal(customerId, today),
        repo.openExposure(customerId),
        repo.pendingActions(customerId, labelId, 8, pendingKinds),
        activities.recent(customerId, labelId, FEED_READ),
      ]);
    return { balances, latest, inProgress, recent, counts, principal, exposure, pending, feed };
  };
  const figures = scopeCache<Awaited<ReturnType<typeof load>>>({ ttlMs: HOME_TTL_MS, max: 5_000, now });
  const rateTables = ttlCache<Awaited<ReturnType<HomeRepository['latestRates']>>>({
    ttlMs: RATES_TTL_MS,
    max: 10,
    now,
  });
  return {
    async dashboard(scope: Scope, requestedCurrency: string | undefined): Promise<Dashboard> {
      const { today, label, customer, user } = scope;
      // Only what this user may open: the pending kinds are part of the key (a few variants per
      // customer), the feed is filtered as it is shown.
      const pendingKinds = PENDING_KINDS.filter((kind) => canOpen(user, pendingActionLink({ kind, id: 1 })));
      const [{ balances, latest, inProgress, recent, counts, principal, exposure, pending, feed }, rates] =
        await Promise.all([
          figures.get(scope, `home:${pendingKinds.join(',')}`, () => load(scope, pendingKinds)),
          rateTables.get(today, () => repo.latestRates(today)),
        ]);
      const primary = creditCorner(
        customer.creditLimitMinor,
        customer.primaryCurrency,
        principal,
        exposure,
        rates,
      );
      const currencies = [
        customer.primaryCurrency,
        ...label.secondaryCurrencies.filter((c) => c !== customer.primaryCurrency),
      ];
      const wanted =
        requestedCurrency && currencies.includes(requestedCurrency)
          ? requestedCurrency
          : customer.primaryCurrency;
      const converted = creditIn(primary, wanted, rates);
      return {
        invoices: invoiceCard(balances, label.primaryCurrency, today, rates),
        payments: {
          latest,
          inProgress,
          inProgressMinor: inProgress
            .filter((p) => p.currency === label.primaryCurrency)
            .reduce((sum, p) => sum + p.amountMinor, 0),
        },
        contracts: {
          recent: recent.map((c) => ({ ...c, overdueDays: overdueDays(c.oldestOverdue, today) })),
          ...counts,
        },
        credit: {
          primary,
          shown: converted ?? primary,
          currencies,
          unavailable: converted ? undefined : wanted,
        },
        pending: {
          total: pending.total,
          items: pending.items.map((a) => ({
            ...a,
            href: pendingActionLink(a),
            waitingOn: a.status === 'waiting_on_customer' ? ('you' as const) : ('lessor' as const),
          })),
        },
        activities: feed.filter((a) => !a.link || canOpen(user, a.link)).slice(0, FEED_SHOWN),
      };
    },
  };
}
export type HomeService = ReturnType<typeof createHomeService>;
