import type { Scope } from '../../http/types.ts';
import type { Clock } from '../../lib/clock.ts';
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
 * Two of Home's figures move only with the calendar, not with payments: exchange rates and the
 * remaining principal of active contracts (read from the schedules, thousands of rows for a
 * large fleet). They are kept for five minutes per customer and day; everything a payment or
 * request changes is read fresh on every visit.
 */
const SLOW_FIGURES_TTL_MS = 5 * 60_000;

export function createHomeService(repo: HomeRepository, activities: ActivitiesRepository, clock: Clock) {
  const now = () => clock.now().getTime();
  const principals = ttlCache<Awaited<ReturnType<HomeRepository['activePrincipal']>>>({
    ttlMs: SLOW_FIGURES_TTL_MS,
    max: 2_000,
    now,
  });
  const rateTables = ttlCache<Awaited<ReturnType<HomeRepository['latestRates']>>>({
    ttlMs: SLOW_FIGURES_TTL_MS,
    max: 10,
    now,
  });
  return {
    async dashboard(scope: Scope, requestedCurrency: string | undefined): Promise<Dashboard> {
      const { customerId, labelId, today, label, customer } = scope;
      const [balances, rates, { latest, inProgress }, recent, counts, principal, pending, feed] =
        await Promise.all([
          repo.openBalances(customerId, labelId, today),
          rateTables.get(today, () => repo.latestRates(today)),
          repo.paymentSummaries(customerId, labelId),
          repo.recentContracts(customerId, labelId, today, 5),
          repo.contractCounts(customerId, labelId),
          principals.get(`${customerId}:${labelId}:${today}`, () =>
            repo.activePrincipal(customerId, labelId, today),
          ),
          repo.pendingActions(customerId, labelId, 8),
          activities.recent(customerId, labelId, 10),
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
