/**
 * Receipt, acknowledgement and failure e-mails (HTML + text) queued in the outbox inside the
 * payment's transaction. A receipt is for money received: one per settled payment
 * (`receipt:payment:<id>`, with the receipt PDF); a bank payment submitted but not settled gets an
 * acknowledgement without a receipt (`submitted:payment:<id>`), and its receipt when it settles; one
 * failure notice (`failed:payment:<id>`), however often the code path runs.
 */
import path from 'node:path';
import ejs from 'ejs';
import type { Knex } from 'knex';
import type { Label } from '../../http/types.ts';
import { viewHelpers, viewsDir } from '../../http/views.ts';
import type { OutboxService } from '../outbox/outbox.service.ts';
import type { Pdf } from '../../lib/pdf.ts';
import { receiptPdf } from './payments.pdf.ts';
import type { AllocationRow, PaymentRow } from './payments.repository.ts';

export interface ReceiptMessage {
  label: Label;
  p: PaymentRow;
  allocs: AllocationRow[];
  /** `receipt` for a settled payment, `submitted` for a bank payment on its way, `failure`. */
  kind: 'receipt' | 'submitted' | 'failure';
  user: { email: string; name: string };
  customer: { name: string; number: string };
}

export interface ReceiptMailer {
  enqueue(trx: Knex, m: ReceiptMessage): Promise<void>;
}

function pdfBase64(doc: Pdf): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks).toString('base64')));
    doc.on('error', reject);
    doc.end();
  });
}

export function createReceiptMailer(outbox: OutboxService, publicUrl: string | undefined): ReceiptMailer {
  return {
    async enqueue(trx, { label, p, allocs, kind, user, customer }) {
      // Absolute, from the label's configured address (PUBLIC_URL for the stand-in of a vanished label).
      const link = `${label.baseUrl || (publicUrl ?? '').replace(/\/+$/, '')}/payments/${p.id}`;
      const data = { ...viewHelpers, label, p, allocs, kind, user, link };
      const [html, text] = await Promise.all([
        ejs.renderFile(path.join(viewsDir, 'emails', 'payment-receipt.ejs'), data),
        ejs.renderFile(path.join(viewsDir, 'emails', 'payment-receipt-text.ejs'), data, {
          escape: (v: unknown) => String(v),
        }),
      ]);
      const amount = viewHelpers.money(p.amountMinor, p.currency, label.locale);
      const subject =
        kind === 'failure'
          ? `Your payment of ${amount} did not go through – ${label.name}`
          : kind === 'submitted'
            ? `Payment submitted: ${amount} is on its way from your bank – ${label.name}`
            : `Receipt for your payment of ${amount} – ${label.name}`;
      await outbox.enqueue(
        {
          to: user.email,
          from: label.emailFrom,
          subject,
          html,
          text,
          dedupeKey: `${kind === 'failure' ? 'failed' : kind}:payment:${p.id}`,
          attachments:
            kind === 'receipt'
              ? [
                  {
                    filename: `receipt-${p.id}.pdf`,
                    contentType: 'application/pdf',
                    content: await pdfBase64(receiptPdf(p, allocs, label, customer)),
                  },
                ]
              : [],
        },
        trx,
      );
    },
  };
}
