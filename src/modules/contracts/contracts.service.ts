/** Contracts: the list, one contract's page and its payment schedule. */
import { keptCounts, scopeCache } from '../../lib/scope-cache.ts';
import { NotFound } from '../../http/errors.ts';
import { pageOf } from '../../http/pagination.ts';
import type { Scope } from '../../http/types.ts';
import { MONTHS_PER_PERIOD } from '../payoff-quotes/payoff.calc.ts';
import type {
  ContractFilters,
  ContractRow,
  ContractsRepository,
  ScheduleLineRow,
} from './contracts.repository.ts';

export type LineStatus = 'paid' | 'overdue' | 'due' | 'scheduled' | 'paid_off' | 'terminated';

/** A contract that will bill nothing more: its unbilled periods are settled or cancelled. */
export const CLOSED_STATUSES: readonly string[] = ['paid_off', 'terminated'];

export interface ScheduleView {
  lines: (ScheduleLineRow & { totalMinor: number; status: LineStatus })[];
  totals: { rentMinor: number; taxMinor: number; totalMinor: number };
  /** Periodic rent × number of periods: what the schedule's rent total must equal. */
  contractRentMinor: number;
  periods: number;
}

/**
 * paid: its invoice is paid; overdue: billed, unpaid, due date passed; due: billed, not yet due;
 * scheduled: not billed yet. On a paid-off or terminated contract a period never billed will not
 * be: it shows as the contract's end (paid off / terminated), never as scheduled.
 */
export function lineStatus(l: ScheduleLineRow, today: string, contractStatus = 'active'): LineStatus {
  if (!l.invoiceId) {
    if (contractStatus === 'paid_off' || contractStatus === 'terminated') return contractStatus;
    return 'scheduled';
  }
  if (l.invoiceStatus === 'paid' || l.invoiceStatus === 'void') return 'paid';
  return (l.invoiceDueDate ?? l.dueDate) < today ? 'overdue' : 'due';
}

export function scheduleView(c: ContractRow, lines: ScheduleLineRow[], today: string): ScheduleView {
  const withStatus = lines.map((l) => ({
    ...l,
    totalMinor: l.rentMinor + l.taxMinor,
    status: lineStatus(l, today, c.status),
  }));
  const rentMinor = lines.reduce((s, l) => s + l.rentMinor, 0);
  const taxMinor = lines.reduce((s, l) => s + l.taxMinor, 0);
  const periods = c.termMonths / MONTHS_PER_PERIOD[c.frequency];
  return {
    lines: withStatus,
    totals: { rentMinor, taxMinor, totalMinor: rentMinor + taxMinor },
    contractRentMinor: c.periodicRentMinor * periods,
    periods,
  };
}

/** The customer's contract, or NotFound (another customer's id answers 404). */
async function getContract(repo: ContractsRepository, scope: Scope, id: number): Promise<ContractRow> {
  const c = await repo.findById(scope, scope.today, id);
  if (!c) throw new NotFound();
  return c;
}

type ScheduleData = { contract: ContractRow; schedule: ReturnType<typeof scheduleView> };
type DetailData = Awaited<ReturnType<typeof loadDetail>>;

/** A contract's page: the contract, its schedule, assets, open invoices, documents, quotes, requests. */
async function loadDetail(repo: ContractsRepository, scope: Scope, id: number) {
  const contract = await getContract(repo, scope, id);
  const [lines, assets, invoices, documents, quotes, requests] = await Promise.all([
    repo.schedule(scope, id),
    repo.assets(scope, id),
    repo.openInvoices(scope, id),
    repo.documents(scope, id),
    repo.payoffQuotes(scope, id),
    repo.serviceRequests(scope, id),
  ]);
  const schedule = scheduleView(contract, lines, scope.today);
  // A paid-off or terminated contract has no next payment: only billed, unpaid invoices remain
  // (listed on the page), and no unbilled period counts.
  const closed = CLOSED_STATUSES.includes(contract.status);
  const next = closed
    ? undefined
    : schedule.lines.find(
        (l) => (l.status === 'due' || l.status === 'scheduled') && l.dueDate >= scope.today,
      );
  const unbilled = schedule.lines
    .filter((l) => l.status === 'scheduled')
    .reduce((s, l) => s + l.totalMinor, 0);
  const billedUnpaid = invoices.reduce((s, i) => s + i.contractBalanceMinor, 0);
  return {
    contract,
    schedule,
    next: next ? { dueDate: next.dueDate, amountMinor: next.totalMinor } : null,
    remainingMinor: unbilled + billedUnpaid,
    assets,
    invoices,
    documents,
    quotes: quotes.map((q) => ({ ...q, status: quoteStatus(q.status, q.validUntil, scope.today) })),
    requests,
  };
}

export function createContractsService(repo: ContractsRepository) {
  const counts = keptCounts({ ttlMs: 10 * 60_000, max: 5_000, now: Date.now });
  // Every contract's overdue amount, kept per data version: the list shows it on each row.
  const overdueMaps = scopeCache<Map<number, number>>({ ttlMs: 10 * 60_000, max: 2_000, now: Date.now });
  // A contract's page and its schedule, kept per data version and business date (the payoff
  // quotes' superseding runs when they are read, which only a change of data can make due).
  const pages = scopeCache<ScheduleData | DetailData>({ ttlMs: 10 * 60_000, max: 500, now: Date.now });
  const get = (scope: Scope, id: number): Promise<ContractRow> => getContract(repo, scope, id);
  return {
    get,
    async list(scope: Scope, f: ContractFilters, page: number, pageSize: number) {
      const overdue = await overdueMaps.get(scope, 'overdue', () =>
        repo.overdueByContract(scope, scope.today),
      );
      const { rows, total } = await repo.list(
        scope,
        scope.today,
        f,
        (page - 1) * pageSize,
        pageSize,
        counts(scope, 'contracts', f),
        overdue,
      );
      return pageOf(rows, page, pageSize, total);
    },
    async schedule(scope: Scope, id: number) {
      return pages.get(scope, `schedule:${id}`, async () => {
        const contract = await get(scope, id);
        const lines = await repo.schedule(scope, id);
        return { contract, schedule: scheduleView(contract, lines, scope.today) };
      }) as Promise<ScheduleData>;
    },
    async detail(scope: Scope, id: number) {
      return pages.get(scope, `contract:${id}`, () => loadDetail(repo, scope, id)) as Promise<DetailData>;
    },
  };
}
export type ContractsService = ReturnType<typeof createContractsService>;

/** An issued quote past its valid-until date shows as expired. */
export function quoteStatus(status: string, validUntil: string, today: string): string {
  return status === 'issued' && validUntil < today ? 'expired' : status;
}
