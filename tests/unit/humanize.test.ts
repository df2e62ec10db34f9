import { describe, expect, it } from 'vitest';
import { humanize } from '../../src/lib/words.ts';
import { viewHelpers } from '../../src/http/views.ts';
import { reportDef } from '../../src/modules/reports/reports.definitions.ts';
import { cellText } from '../../src/modules/reports/reports.export.ts';

describe('humanize', () => {
  it('writes codes as words and keeps the trade’s abbreviations in capitals', () => {
    expect(humanize('paid_off')).toBe('Paid off');
    expect(humanize('fmv')).toBe('FMV');
    expect(humanize('trac')).toBe('TRAC');
    expect(humanize('one_dollar_buyout')).toBe('One dollar buyout');
    expect(humanize('ach')).toBe('ACH');
    expect(humanize('payment.submitted')).toBe('Payment submitted');
    // Only whole words: 'tracking' and 'achieved' are left alone.
    expect(humanize('tracking_achieved')).toBe('Tracking achieved');
  });

  it('is the one used by pages, report filters and report files', () => {
    expect(viewHelpers.humanize('fmv')).toBe('FMV');
    const product = reportDef('contract-summary')?.fields.find((f) => f.name === 'product');
    expect(product?.options?.map((o) => o.text)).toEqual([
      'All products',
      'FMV',
      'One dollar buyout',
      'TRAC',
      'Loan',
    ]);
    const col = { key: 'product', header: 'Product', kind: 'text', weight: 1 } as const;
    expect(cellText(col, { product: 'trac' }, 'en-US', true)).toBe('TRAC');
    expect(cellText(col, { product: 'fmv' }, 'en', false)).toBe('FMV');
  });
});
