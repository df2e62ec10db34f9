/**
 * Builds the demo data set in memory, with explicit ids, so generation is pure and
 * deterministic (same asOf + seed → identical rows) and the insert is a handful of batches.
 * Contracts carry their schedule, invoices and assets; invoices are settled at the end
 * according to their plan, so the special cases (overdue, partial, in progress) are edits.
 */
import { Faker, en } from '@faker-js/faker';
import { addDays, addMonths } from '../src/lib/clock.ts';
import { EQUIPMENT, VIN_CHARS, type Equipment, type Place } from './catalog.ts';
import {
  amortise,
  applyRate,
  dueDates,
  levelPayment,
  MONTHS_PER_PERIOD,
  periodicRate,
  periodsIn,
  type Frequency,
} from './schedule.ts';

export type Row = Record<string, unknown>;

/** Insertion order (foreign keys first). */
export const TABLES = [
  'private_labels',
  'exchange_rates',
  'customers',
  'users',
  'contracts',
  'invoices',
  'schedule_lines',
  'invoice_lines',
  'payment_methods',
  'payments',
  'payment_allocations',
  'payment_status_history',
  'autopay_enrollments',
  'assets',
  'service_requests',
  'service_request_comments',
  'location_change_requests',
  'location_change_request_assets',
  'location_change_request_events',
  'asset_location_history',
  'payoff_quotes',
  'activities',
  'audit_log',
] as const;
export type Table = (typeof TABLES)[number];

export type Product = 'fmv' | 'one_dollar_buyout' | 'trac' | 'loan';
export type ContractStatus = 'active' | 'matured' | 'terminated' | 'paid_off';

export interface LabelRec {
  id: number;
  code: string;
  prefix: string;
  currency: string;
  lateFee: { graceDays: number; percent: number; minimumMinor: number };
  payoffFeeMinor: number;
  discountRate: string | null;
}
export interface UserRec {
  id: number;
  email: string;
  name: string;
  role: string;
  permissions: string[];
}
export interface MethodRec {
  id: number;
  kind: 'card' | 'ach';
  label: string;
}
export interface CustomerRec {
  id: number;
  number: string;
  name: string;
  currency: string;
  users: UserRec[];
  methods: MethodRec[];
}
export interface LineRec {
  id: number;
  seq: number;
  due: string;
  rent: number;
  tax: number;
  balanceAfter: number;
  row: Row;
}
export type Plan = 'paid' | 'open' | { partial: number };
export interface InvoiceRec {
  id: number;
  number: string;
  row: Row;
  contract: ContractRec;
  line: LineRec;
  due: string;
  total: number;
  plan: Plan;
}
export interface ContractRec {
  id: number;
  number: string;
  row: Row;
  customer: CustomerRec;
  label: LabelRec;
  product: Product;
  frequency: Frequency;
  inAdvance: boolean;
  rate: string;
  taxRate: string;
  financed: number;
  residual: number;
  deposit: number;
  currency: string;
  lines: LineRec[];
  invoices: InvoiceRec[];
  assets: Row[];
}

export interface ContractSpec {
  customer: CustomerRec;
  label: LabelRec;
  product: Product;
  status: ContractStatus;
  frequency: Frequency;
  termMonths: number;
  /** Due date number anchorIndex (0-based) falls exactly on anchor. */
  anchor: string;
  anchorIndex: number;
  equipment: Equipment;
  unitCosts: number[];
  rate: string;
  place: Place;
  otherPlace?: Place;
  /** For paid-off / terminated contracts: nothing is invoiced after this date. */
  endedOn?: string;
  residualPercent?: number;
  deposit?: boolean;
}

export const ts = (date: string, hh = 15, mm = 0): string =>
  `${date}T${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}:00Z`;

export class DemoBuilder {
  readonly rows = Object.fromEntries(TABLES.map((t) => [t, [] as Row[]])) as Record<Table, Row[]>;
  readonly contracts: ContractRec[] = [];
  readonly faker: Faker;
  private readonly ids = new Map<Table, number>();
  private readonly invoiceSeq = new Map<string, number>();

  constructor(
    readonly asOf: string,
    seed: number,
  ) {
    this.faker = new Faker({ locale: [en] });
    this.faker.seed(seed);
  }

  int(min: number, max: number): number {
    return this.faker.number.int({ min, max });
  }
  pick<T>(items: readonly T[]): T {
    return this.faker.helpers.arrayElement(items);
  }
  chance(p: number): boolean {
    return this.faker.number.float({ min: 0, max: 1 }) < p;
  }
  day(offset: number): string {
    return addDays(this.asOf, offset);
  }

  /** Appends a row with the next id of its table and returns the id. */
  add(table: Table, row: Row): number {
    const id = (this.ids.get(table) ?? 0) + 1;
    this.ids.set(table, id);
    this.rows[table].push({ id, ...row });
    return id;
  }
  push(table: Table, row: Row): void {
    this.rows[table].push(row);
  }

  serial(prefix: string): string {
    return `${prefix}${this.faker.string.numeric(7)}`;
  }
  vin(year: number): string {
    const yearCode = 'ABCDEFGHJKLMNPRSTVWXY123456789'[(year - 2010) % 30] ?? 'A';
    const part = (n: number): string => this.faker.string.fromCharacters(VIN_CHARS, n);
    return `${part(8)}${this.faker.string.fromCharacters('0123456789X', 1)}${yearCode}${part(1)}${this.faker.string.numeric(6)}`;
  }

  addContract(s: ContractSpec): ContractRec {
    const m = MONTHS_PER_PERIOD[s.frequency];
    const n = periodsIn(s.termMonths, s.frequency);
    const inAdvance = s.product !== 'loan';
    const dues = dueDates(s.anchor, s.anchorIndex, n, s.frequency);
    const first = dues[0]!;
    const start = inAdvance ? first : addMonths(first, -m);
    const end = inAdvance ? addDays(addMonths(start, s.termMonths), -1) : dues[n - 1]!;
    const financed = s.unitCosts.reduce((a, b) => a + b, 0);
    const pct = s.residualPercent ?? 0;
    const residual =
      s.product === 'loan'
        ? 0
        : s.product === 'one_dollar_buyout'
          ? 100
          : Math.round((financed * pct) / 1_000_000) * 10_000;
    const i = periodicRate(s.rate, s.frequency);
    const rent = levelPayment(financed, residual, i, n, inAdvance);
    const taxRate = s.product === 'loan' ? '0.00000' : s.place.taxRate;
    const deposit = s.deposit ? rent : 0;
    const id = this.add('contracts', {});
    const number = `${s.label.prefix}-${start.slice(0, 4)}-${String(id).padStart(5, '0')}`;
    const units = s.unitCosts.length;
    const e = s.equipment;
    const description = `${units > 1 ? `${units} × ` : ''}${e.make} ${e.model} ${e.noun}${units > 1 ? 's' : ''}`;
    const row = this.rows.contracts[this.rows.contracts.length - 1]!;
    Object.assign(row, {
      number,
      customer_id: s.customer.id,
      private_label_id: s.label.id,
      product: s.product,
      status: s.status,
      description,
      start_date: start,
      end_date: end,
      term_months: s.termMonths,
      frequency: s.frequency,
      payments_in_advance: inAdvance,
      periodic_rent_minor: rent,
      currency: s.label.currency,
      financed_amount_minor: financed,
      residual_minor: residual,
      rate: s.rate,
      security_deposit_minor: deposit,
      tax_rate: taxRate,
      created_at: ts(addDays(start, -10), 14, 30),
    });
    const c: ContractRec = {
      id,
      number,
      row,
      customer: s.customer,
      label: s.label,
      product: s.product,
      frequency: s.frequency,
      inAdvance,
      rate: s.rate,
      taxRate,
      financed,
      residual,
      deposit,
      currency: s.label.currency,
      lines: [],
      invoices: [],
      assets: [],
    };
    const am = amortise({ financed, residual, rent, i, n, inAdvance });
    am.forEach((a, k) => {
      const due = dues[k]!;
      const tax = applyRate(rent, taxRate);
      const lineRow: Row = {
        contract_id: id,
        // The contract's, as the database would set them (migrations/…001200_schedule_scope.ts):
        // the bench loader's COPY runs without triggers.
        customer_id: s.customer.id,
        private_label_id: s.label.id,
        seq: a.seq,
        due_date: due,
        rent_minor: rent,
        tax_minor: tax,
        principal_minor: a.principal,
        interest_minor: a.interest,
        balance_after_minor: a.balanceAfter,
        invoice_id: null,
        created_at: row.created_at,
      };
      const lineId = this.add('schedule_lines', lineRow);
      c.lines.push({
        id: lineId,
        seq: a.seq,
        due,
        rent,
        tax,
        balanceAfter: a.balanceAfter,
        row: this.rows.schedule_lines.at(-1)!,
      });
    });
    const lastBilled = s.endedOn ?? this.day(30);
    for (const line of c.lines) if (line.due <= lastBilled) this.addInvoice(c, line);
    this.addAssets(c, s, start);
    this.contracts.push(c);
    return c;
  }

  private addInvoice(c: ContractRec, line: LineRec): void {
    const seq = (this.invoiceSeq.get(c.label.prefix) ?? 0) + 1;
    this.invoiceSeq.set(c.label.prefix, seq);
    const number = `INV-${c.label.prefix}-${String(seq).padStart(7, '0')}`;
    const total = line.rent + line.tax;
    const issue = addDays(line.due, -20);
    const id = this.add('invoices', {
      number,
      customer_id: c.customer.id,
      private_label_id: c.label.id,
      issue_date: issue,
      due_date: line.due,
      currency: c.currency,
      total_minor: total,
      balance_minor: total,
      status: 'open',
      paid_at: null,
      created_at: ts(issue, 11),
    });
    line.row.invoice_id = id;
    const n = c.lines.length;
    this.add('invoice_lines', {
      invoice_id: id,
      contract_id: c.id,
      kind: 'rent',
      description: `Rent ${line.seq} of ${n}, ${c.number}`,
      amount_minor: line.rent,
      schedule_line_id: line.id,
      created_at: ts(issue, 11),
    });
    if (line.tax > 0) {
      this.add('invoice_lines', {
        invoice_id: id,
        contract_id: c.id,
        kind: 'tax',
        description: `Sales tax ${pctText(c.taxRate)} on rent ${line.seq}`,
        amount_minor: line.tax,
        schedule_line_id: line.id,
        created_at: ts(issue, 11),
      });
    }
    const row = this.rows.invoices.at(-1)!;
    c.invoices.push({
      id,
      number,
      row,
      contract: c,
      line,
      due: line.due,
      total,
      plan: line.due < this.asOf ? 'paid' : 'open',
    });
  }

  /**
   * Adds a late fee line (the label's rule) to an invoice, raising its total and balance. The rule
   * is a lessor's usual clause, a percentage of the past-due rent: on the rent line only, not on
   * the sales tax collected with it (nor on an earlier fee), with the label's minimum.
   */
  addLateFee(inv: InvoiceRec): number {
    const rule = inv.contract.label.lateFee;
    const fee = Math.max(rule.minimumMinor, applyRate(inv.line.rent, (rule.percent / 100).toFixed(4)));
    const at = addDays(inv.due, rule.graceDays + 1);
    this.add('invoice_lines', {
      invoice_id: inv.id,
      contract_id: inv.contract.id,
      kind: 'late_fee',
      description: `Late fee (${rule.percent}% of past-due rent, minimum applies), assessed ${at}`,
      amount_minor: fee,
      schedule_line_id: null,
      created_at: ts(at, 6),
    });
    inv.total += fee;
    inv.row.total_minor = inv.total;
    inv.row.balance_minor = inv.total;
    return fee;
  }

  private addAssets(c: ContractRec, s: ContractSpec, start: string): void {
    const e = s.equipment;
    const year = Number(start.slice(0, 4)) - (this.chance(0.3) ? 1 : 0);
    s.unitCosts.forEach((cost, k) => {
      const place = k > 0 && s.otherPlace && this.chance(0.4) ? s.otherPlace : s.place;
      const id = this.add('assets', {});
      const row = this.rows.assets.at(-1)!;
      Object.assign(row, {
        number: `A-${String(id).padStart(6, '0')}`,
        customer_id: c.customer.id,
        contract_id: c.id,
        private_label_id: c.label.id,
        description: `${year} ${e.make} ${e.model} ${e.noun}`,
        make: e.make,
        model: e.model,
        serial_number: this.serial(e.serialPrefix),
        vin: e.vehicle ? this.vin(year) : null,
        year,
        category: e.category,
        cost_minor: cost,
        currency: c.currency,
        status: assetStatus(s.status, s.product),
        address_line1: this.faker.location.streetAddress(),
        address_line2: this.chance(0.2) ? `Yard ${this.int(1, 9)}` : null,
        city: place.city,
        region: place.region,
        postal_code: place.postal,
        country: place.country,
        created_at: c.row.created_at,
      });
      c.assets.push(row);
      this.add('asset_location_history', {
        asset_id: id,
        address_line1: row.address_line1,
        address_line2: row.address_line2,
        city: place.city,
        region: place.region,
        postal_code: place.postal,
        country: place.country,
        effective_date: start,
        location_change_request_id: null,
        recorded_at: c.row.created_at,
      });
    });
  }

  /** Unit costs (minor units) for `units` pieces of equipment, rounded to whole hundreds. */
  unitCosts(e: Equipment, units: number): number[] {
    return Array.from({ length: units }, () => Math.round(this.int(e.cost[0], e.cost[1]) / 100) * 100 * 100);
  }

  equipmentFor(industry: string): Equipment {
    return this.pick(EQUIPMENT[industry] ?? EQUIPMENT.construction!);
  }

  addPayment(p: {
    customer: CustomerRec;
    labelId: number;
    method: MethodRec | null;
    amount: number;
    currency: string;
    status: 'settled' | 'in_progress' | 'failed' | 'scheduled';
    initiatedBy: number | null;
    initiatedAt: string;
    settledAt?: string;
    scheduledFor?: string;
    failureReason?: string;
    source?: 'portal' | 'autopay';
    allocations: { invoice: InvoiceRec; amount: number }[];
  }): number {
    const id = this.add('payments', {});
    const failedAt = p.status === 'failed' ? (p.settledAt ?? p.initiatedAt) : null;
    Object.assign(this.rows.payments.at(-1)!, {
      customer_id: p.customer.id,
      private_label_id: p.labelId,
      payment_method_id: p.method?.id ?? null,
      amount_minor: p.amount,
      currency: p.currency,
      status: p.status,
      initiated_by: p.initiatedBy,
      initiated_at: p.initiatedAt,
      scheduled_for: p.scheduledFor ?? null,
      settled_at: p.status === 'settled' ? p.settledAt : null,
      failed_at: failedAt,
      failure_reason: p.failureReason ?? null,
      gateway_reference: p.status === 'scheduled' ? null : `sbx_${(1_000_000 + id * 7919).toString(36)}`,
      idempotency_key: `demo-payment-${id}`,
      request_hash: null,
      source: p.source ?? 'portal',
      created_at: p.initiatedAt,
    });
    for (const a of p.allocations) {
      this.add('payment_allocations', {
        payment_id: id,
        invoice_id: a.invoice.id,
        amount_minor: a.amount,
        created_at: p.initiatedAt,
      });
    }
    const history: [string, string, string | null][] = [];
    if (p.status === 'scheduled')
      history.push(['scheduled', p.initiatedAt, `Scheduled for ${p.scheduledFor}`]);
    else if (p.method?.kind === 'ach' || p.status === 'in_progress')
      history.push(['in_progress', p.initiatedAt, 'Submitted to the bank']);
    if (p.status === 'settled') history.push(['settled', p.settledAt!, null]);
    if (p.status === 'failed') history.push(['failed', failedAt!, p.failureReason ?? null]);
    for (const [status, at, note] of history)
      this.add('payment_status_history', { payment_id: id, status, note, at });
    return id;
  }

  /** Pays every invoice still planned as paid, one payment each, settled before its due date. */
  settleInvoices(
    payer: (c: ContractRec) => { method: MethodRec; userId: number | null; source: 'portal' | 'autopay' },
  ): void {
    for (const c of this.contracts) {
      for (const inv of c.invoices) {
        if (inv.plan !== 'paid' || inv.row.status === 'paid') continue;
        const who = payer(c);
        const initiated = addDays(inv.due, -this.int(3, 8));
        const settled = who.method.kind === 'ach' ? ts(addDays(initiated, 2), 13) : ts(initiated, 16, 1);
        this.addPayment({
          customer: c.customer,
          labelId: c.label.id,
          method: who.method,
          amount: inv.total,
          currency: c.currency,
          status: 'settled',
          initiatedBy: who.userId,
          initiatedAt: ts(initiated, 16),
          settledAt: settled,
          source: who.source,
          allocations: [{ invoice: inv, amount: inv.total }],
        });
        Object.assign(inv.row, { balance_minor: 0, status: 'paid', paid_at: settled });
      }
    }
  }
}

function assetStatus(status: ContractStatus, product: Product): string {
  if (status === 'active') return 'active';
  if (status === 'terminated') return 'returned';
  return status === 'paid_off' || product !== 'fmv' ? 'sold' : 'returned';
}

export function pctText(rate: string): string {
  return `${(Number(rate) * 100).toFixed(3).replace(/\.?0+$/, '')}%`;
}
