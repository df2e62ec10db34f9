/** Autopay enrolments and the worker's once-per-invoice attempts. */
import type { Knex } from 'knex';
import { OPEN_INVOICE } from '../invoices/invoices.repository.ts';

export interface EnrolledContract {
  contractId: number;
  contractNumber: string;
  description: string | null;
  status: string;
  enrollmentId: number | null;
  methodId: number | null;
  methodText: string | null;
  daysBeforeDue: number | null;
  acceptedTermsAt: Date | null;
}

export function createAutopayRepository(db: Knex) {
  return {
    transaction<T>(fn: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
      return db.transaction(fn);
    },

    async contracts(customerId: number, labelId: number): Promise<EnrolledContract[]> {
      return db('contracts as c')
        .leftJoin('autopay_enrollments as e', (j) =>
          j.on('e.contract_id', 'c.id').andOn('e.active', db.raw('true')),
        )
        .leftJoin('payment_methods as m', 'm.id', 'e.payment_method_id')
        .where({ 'c.customer_id': customerId, 'c.private_label_id': labelId, 'c.status': 'active' })
        .orderBy('c.number')
        .select(
          'c.id as contractId',
          'c.number as contractNumber',
          'c.description',
          'c.status',
          'e.id as enrollmentId',
          'e.payment_method_id as methodId',
          db.raw(
            `case when m.kind = 'card' then coalesce(m.brand, 'Card') || ' ending ' || m.last4 when m.kind = 'ach' then coalesce(m.bank_name, 'Bank account') || ' ending ' || m.last4 end as "methodText"`,
          ),
          'e.days_before_due as daysBeforeDue',
          'e.accepted_terms_at as acceptedTermsAt',
        );
    },

    async deactivate(
      trx: Knex,
      customerId: number,
      contractId: number,
      at: Date,
    ): Promise<{ id: number; payment_method_id: number; days_before_due: number } | undefined> {
      const rows = (await trx('autopay_enrollments')
        .where({ customer_id: customerId, contract_id: contractId, active: true })
        .update({ active: false, cancelled_at: at })
        .returning(['id', 'payment_method_id', 'days_before_due'])) as {
        id: number;
        payment_method_id: number;
        days_before_due: number;
      }[];
      return rows[0];
    },

    async insert(
      trx: Knex,
      e: {
        customerId: number;
        contractId: number;
        methodId: number;
        daysBeforeDue: number;
        userId: number;
        at: Date;
      },
    ): Promise<number> {
      const [row] = (await trx('autopay_enrollments')
        .insert({
          customer_id: e.customerId,
          contract_id: e.contractId,
          payment_method_id: e.methodId,
          days_before_due: e.daysBeforeDue,
          active: true,
          accepted_terms_at: e.at,
          created_by: e.userId,
          created_at: e.at,
        })
        .returning('id')) as { id: number }[];
      return row!.id;
    },

    async lockContracts(
      trx: Knex,
      customerId: number,
      labelId: number,
      ids: number[],
    ): Promise<{ id: number; number: string }[]> {
      return trx('contracts')
        .whereIn('id', ids)
        .andWhere({ customer_id: customerId, private_label_id: labelId, status: 'active' })
        .orderBy('id')
        .forUpdate()
        .select('id', 'number');
    },

    /**
     * Worker: open invoices of enrolled contracts whose pay date (due − days before due) has
     * come, and that have no attempt yet.
     */
    async dueInvoices(latest: string): Promise<
      {
        enrollmentId: number;
        invoiceId: number;
        invoiceNumber: string;
        dueDate: string;
        daysBeforeDue: number;
        customerId: number;
        labelId: number;
        timeZone: string;
        methodId: number;
        userId: number | null;
      }[]
    > {
      return db('autopay_enrollments as e')
        .join('contracts as c', 'c.id', 'e.contract_id')
        .join('private_labels as l', 'l.id', 'c.private_label_id')
        .join('invoices as i', (j) =>
          j.on('i.customer_id', 'e.customer_id').andOn('i.private_label_id', 'c.private_label_id'),
        )
        .where('e.active', true)
        .whereIn('i.status', OPEN_INVOICE)
        .andWhere('i.balance_minor', '>', 0)
        .whereExists(db('invoice_lines as il').whereRaw('il.invoice_id = i.id and il.contract_id = c.id'))
        .whereNotExists(db('autopay_attempts as a').whereRaw('a.invoice_id = i.id'))
        .andWhereRaw('i.due_date - e.days_before_due <= ?::date', [latest])
        .orderBy('i.due_date')
        .limit(500)
        .select(
          'e.id as enrollmentId',
          'i.id as invoiceId',
          'i.number as invoiceNumber',
          'i.due_date as dueDate',
          'e.days_before_due as daysBeforeDue',
          'e.customer_id as customerId',
          'c.private_label_id as labelId',
          'l.time_zone as timeZone',
          'e.payment_method_id as methodId',
          'e.created_by as userId',
        );
    },

    /** One attempt per invoice, ever: its id when this caller created it. `at`: the clock's now. */
    async claimAttempt(enrollmentId: number, invoiceId: number, at: Date): Promise<number | undefined> {
      const rows = (await db('autopay_attempts')
        .insert({ enrollment_id: enrollmentId, invoice_id: invoiceId, status: 'pending', at })
        .onConflict('invoice_id')
        .ignore()
        .returning('id')) as { id: number }[];
      return rows[0]?.id;
    },

    async finishAttempt(
      id: number,
      status: 'submitted' | 'failed' | 'skipped',
      paymentId: number | null,
      note: string | null,
    ): Promise<void> {
      await db('autopay_attempts').where({ id }).update({ status, payment_id: paymentId, note });
    },
  };
}
export type AutopayRepository = ReturnType<typeof createAutopayRepository>;
