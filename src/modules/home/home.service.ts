import type { Scope } from '../../http/types.ts';
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

export function createHomeService(repo: HomeRepository, activities: ActivitiesRepository) {
  return {
    async dashboard(scope: Scope, requestedCurrency: string | undefined): Promise<Dashboard> {
      const { customerId, labelId, today, label, customer } = scope;
      const [balances, rates, latest, inProgress, recent, counts, principal, pending, feed] =
        await Promise.all([
          repo.openBalances(customerId, labelId, today),
          repo.latestRates(today),
          repo.latestSettledPayment(customerId, labelId),
          repo.inProgressPayments(customerId, labelId),
          repo.recentContracts(customerId, labelId, today, 5),
          repo.contractCounts(customerId, labelId),
          repo.activePrincipal(customerId, labelId, today),
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
