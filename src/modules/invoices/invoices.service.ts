/** Invoices for the session's customer and label: the list, one invoice with its lines and payments. */
import { NotFound } from '../../http/errors.ts';
import { pageOf, type Page } from '../../http/pagination.ts';
import type { Scope } from '../../http/types.ts';
import { scopeCache } from '../../lib/scope-cache.ts';
import {
  resolveContractFilter,
  withCachedChoices,
  type ContractFilterInput,
} from '../contracts/contract-filter.ts';
import type {
  AppliedPayment,
  InvoiceFilter,
  InvoiceLine,
  InvoiceRow,
  InvoicesRepository,
  InvoiceSums,
} from './invoices.repository.ts';

export const PAGE_SIZE = 20;

export interface InvoiceDetail {
  invoice: InvoiceRow;
  /** Lines grouped by contract, in contract-number order. */
  groups: {
    contractId: number | null;
    contractNumber: string | null;
    lines: InvoiceLine[];
    subtotalMinor: number;
  }[];
  payments: AppliedPayment[];
  payableMinor: number;
  overdue: boolean;
}

export function payableOf(inv: Pick<InvoiceRow, 'balanceMinor' | 'pendingMinor'>): number {
  return Math.max(0, inv.balanceMinor - inv.pendingMinor);
}

export function createInvoicesService(repo: InvoicesRepository) {
  const contractQueries = withCachedChoices(repo);
  const sums = scopeCache<InvoiceSums>({ ttlMs: 10 * 60_000, max: 5_000, now: Date.now });
  return {
    /** The list; a contract number that matches no contract (or several) lists nothing and says so. */
    async list(
      scope: Scope,
      filter: Omit<InvoiceFilter, 'contractId'>,
      contract: ContractFilterInput,
      page: number,
    ) {
      const cf = await resolveContractFilter(contractQueries, scope, contract, { withAssets: false });
      const f: InvoiceFilter = { ...filter, contractId: cf.contractId };
      const { customerId, labelId, today } = scope;
      const [items, r] = cf.error
        ? [[], { total: 0, sums: [] }]
        : await Promise.all([
            repo.page(customerId, labelId, f, today, page, PAGE_SIZE),
            // Counting and summing a fleet's 50,000 invoices is kept while its data is unchanged.
            sums.get(scope, JSON.stringify([f.status, f.from, f.to, f.q, f.contractId]), () =>
              repo.sums(customerId, labelId, f, today),
            ),
          ]);
      const result: Page<InvoiceRow> = pageOf(items, page, PAGE_SIZE, r.total);
      return { page: result, sums: r.sums, cf };
    },

    async detail(scope: Scope, id: number): Promise<InvoiceDetail> {
      const invoice = await repo.find(scope.customerId, scope.labelId, id);
      if (!invoice) throw new NotFound();
      const [lines, payments] = await Promise.all([repo.lines(id), repo.applied(id)]);
      const groups: InvoiceDetail['groups'] = [];
      for (const l of lines) {
        let g = groups.find((x) => x.contractId === l.contractId);
        if (!g) {
          g = { contractId: l.contractId, contractNumber: l.contractNumber, lines: [], subtotalMinor: 0 };
          groups.push(g);
        }
        g.lines.push({ ...l, amountMinor: Number(l.amountMinor) });
        g.subtotalMinor += Number(l.amountMinor);
      }
      return {
        invoice,
        groups,
        payments: payments.map((p) => ({ ...p, amountMinor: Number(p.amountMinor) })),
        payableMinor: payableOf(invoice),
        overdue: invoice.balanceMinor > 0 && invoice.status !== 'void' && invoice.dueDate < scope.today,
      };
    },
  };
}
export type InvoicesService = ReturnType<typeof createInvoicesService>;
