/** Saved payment methods: tokens and display hints only. Every query takes the customer. */
import type { Knex } from 'knex';
import type { TokenisedMethod } from '../gateway/gateway.ts';

export interface MethodRow {
  id: number;
  kind: 'card' | 'ach';
  gateway: string;
  gatewayToken: string;
  brand: string | null;
  last4: string;
  expMonth: number | null;
  expYear: number | null;
  bankName: string | null;
  accountHolder: string | null;
  nickname: string | null;
  isDefault: boolean;
  status: string;
}

const COLS = [
  'id',
  'kind',
  'gateway',
  'gateway_token as gatewayToken',
  'brand',
  'last4',
  'exp_month as expMonth',
  'exp_year as expYear',
  'bank_name as bankName',
  'account_holder as accountHolder',
  'nickname',
  'is_default as isDefault',
  'status',
];

export function methodText(m: Pick<MethodRow, 'kind' | 'brand' | 'bankName' | 'last4'>): string {
  return m.kind === 'card'
    ? `${m.brand ?? 'Card'} ending ${m.last4}`
    : `${m.bankName ?? 'Bank account'} ending ${m.last4}`;
}

export function createPaymentMethodsRepository(db: Knex) {
  return {
    transaction<T>(fn: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
      return db.transaction(fn);
    },
    async active(customerId: number, trx: Knex = db): Promise<MethodRow[]> {
      return trx('payment_methods')
        .where({ customer_id: customerId, status: 'active' })
        .orderBy('is_default', 'desc')
        .orderBy('id')
        .select(COLS);
    },
    async find(customerId: number, id: number, trx: Knex = db): Promise<MethodRow | undefined> {
      return trx('payment_methods').where({ customer_id: customerId, id, status: 'active' }).first(COLS);
    },
    async findByToken(customerId: number, token: string, trx: Knex = db): Promise<MethodRow | undefined> {
      return trx('payment_methods')
        .where({ customer_id: customerId, gateway_token: token, status: 'active' })
        .first(COLS);
    },
    async insert(
      trx: Knex,
      customerId: number,
      gateway: string,
      m: TokenisedMethod,
      userId: number | null,
      isDefault: boolean,
    ): Promise<number> {
      const [row] = (await trx('payment_methods')
        .insert({
          customer_id: customerId,
          kind: m.kind,
          gateway,
          gateway_token: m.token,
          brand: m.brand,
          last4: m.last4,
          exp_month: m.expMonth,
          exp_year: m.expYear,
          bank_name: m.bankName,
          account_holder: m.accountHolder,
          is_default: isDefault,
          created_by: userId,
        })
        .returning('id')) as { id: number }[];
      return row!.id;
    },
    async lockAll(trx: Knex, customerId: number): Promise<void> {
      await trx('payment_methods').where({ customer_id: customerId }).forUpdate().select('id');
    },
    async update(trx: Knex, customerId: number, id: number, fields: Record<string, unknown>): Promise<void> {
      await trx('payment_methods').where({ customer_id: customerId, id }).update(fields);
    },
    async clearDefault(trx: Knex, customerId: number): Promise<void> {
      await trx('payment_methods')
        .where({ customer_id: customerId, is_default: true })
        .update({ is_default: false });
    },
    /** Active autopay enrolments paying with this method (with their contract numbers). */
    async enrolmentsUsing(customerId: number, id: number, trx: Knex = db): Promise<string[]> {
      const rows = (await trx('autopay_enrollments as e')
        .join('contracts as c', 'c.id', 'e.contract_id')
        .where({ 'e.customer_id': customerId, 'e.payment_method_id': id, 'e.active': true })
        .orderBy('c.number')
        .select('c.number')) as { number: string }[];
      return rows.map((r) => r.number);
    },
    async scheduledUsing(customerId: number, id: number, trx: Knex = db): Promise<number> {
      const row = (await trx('payments')
        .where({ customer_id: customerId, payment_method_id: id })
        .whereIn('status', ['scheduled', 'pending'])
        .first(trx.raw('count(*)::int as n'))) as { n: number } | undefined;
      return row?.n ?? 0;
    },
  };
}
export type PaymentMethodsRepository = ReturnType<typeof createPaymentMethodsRepository>;
