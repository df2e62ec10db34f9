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

export interface Dashboard {
  invoices: InvoiceCard;
  payments: {
    latest: PaymentSummary | undefined;
    inProgress: PaymentSummary[];
    /** In-progress payments in the label's currency: not yet deducted from balances (DESIGN: at settlement). */
    inProgressMinor: number;
  };
  contracts: { recent: (ContractSummary & { overdueDays: number })[]; total: number; active: number };
  credit: {
    primary: CreditFigures;
    shown: CreditFigures;
    currencies: string[];
    unavailable: string | undefined;
  };
  pending: { items: PendingAction[]; total: number };
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
  const load = async (scope: Scope) => {
    const { customerId, labelId, today } = scope;
    const [balances, { latest, inProgress }, recent, counts, principal, pending, feed] = await Promise.all([
      repo.openBalances(customerId, labelId, today),
      repo.paymentSummaries(customerId, labelId),
      repo.recentContracts(customerId, labelId, today, 5),
      repo.contractCounts(customerId, labelId),
      repo.activePrincipal(customerId, labelId, today),
      repo.pendingActions(customerId, labelId, 8),
      activities.recent(customerId, labelId, 10),
    ]);
    return { balances, latest, inProgress, recent, counts, principal, pending, feed };
  };
  const figures = scopeCache<Awaited<ReturnType<typeof load>>>({ ttlMs: HOME_TTL_MS, max: 5_000, now });
  const rateTables = ttlCache<Awaited<ReturnType<HomeRepository['latestRates']>>>({
    ttlMs: RATES_TTL_MS,
    max: 10,
    now,
  });
  return {
    async dashboard(scope: Scope, requestedCurrency: string | undefined): Promise<Dashboard> {
      const { today, label, customer } = scope;
      const [{ balances, latest, inProgress, recent, counts, principal, pending, feed }, rates] =
        await Promise.all([
          figures.get(scope, 'home', () => load(scope)),
          rateTables.get(today, () => repo.latestRates(today)),
        ]);
      const primary = creditCorner(
        customer.creditLimitMinor,
        customer.primaryCurrency,
        principal,
        balances,
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
        pending,
        activities: feed,
      };
    },
  };
}
export type HomeService = ReturnType<typeof createHomeService>;
