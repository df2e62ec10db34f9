import { describe, expect, it } from 'vitest';
import {
  formatAddress,
  normalizeCanadianPostalCode,
  normalizeZip,
  validateAddress,
} from '../../src/modules/location-changes/address.ts';
import {
  NEXT_STATUSES,
  locationChangeSchema,
  statusChangeSchema,
  validateEffectiveDate,
} from '../../src/modules/location-changes/location-changes.schemas.ts';
import { parseForm } from '../../src/http/forms.ts';

const TODAY = '2026-11-16';
const base = { addressLine1: '100 Main St', city: 'Springfield' };
const fields = (r: ReturnType<typeof validateAddress>) => (r.ok ? [] : r.errors.map((e) => e.field));
const messages = (r: ReturnType<typeof validateAddress>) => (r.ok ? [] : r.errors.map((e) => e.message));

describe('US addresses: state and 5- or 9-digit ZIP', () => {
  it.each([
    ['TX', '75201', 'TX', '75201'],
    ['tx', '75201-4410', 'TX', '75201-4410'],
    ['Texas', '752014410', 'TX', '75201-4410'],
    ['DC', '20500', 'DC', '20500'],
    ['PR', '00901', 'PR', '00901'],
  ])('accepts %s %s as %s %s', (region, zip, wantRegion, wantZip) => {
    const r = validateAddress({ ...base, country: 'US', region, postalCode: zip });
    expect(r.ok && r.address).toMatchObject({ region: wantRegion, postalCode: wantZip, country: 'US' });
  });

  it.each([
    ['TX', '7520', 'postalCode'],
    ['TX', '752011', 'postalCode'],
    ['TX', '75201-44', 'postalCode'],
    ['TX', 'ABCDE', 'postalCode'],
    ['TX', 'K1A 0B1', 'postalCode'],
    ['ON', '75201', 'region'],
    ['Texass', '75201', 'region'],
  ])('refuses %s %s (%s)', (region, zip, field) => {
    const r = validateAddress({ ...base, country: 'US', region, postalCode: zip });
    expect(fields(r)).toEqual([field]);
  });

  it('asks for the state and ZIP when missing, with US wording', () => {
    const r = validateAddress({ ...base, country: 'US' });
    expect(messages(r)).toEqual(['Choose the state', 'Enter the ZIP code']);
  });

  it('normalizes ZIPs', () => {
    expect(normalizeZip(' 12345 ')).toBe('12345');
    expect(normalizeZip('12345 6789')).toBe('12345-6789');
    expect(normalizeZip('1234')).toBeUndefined();
  });
});

describe('Canadian addresses: province and postal code A1A 1A1', () => {
  it.each([
    ['ON', 'K1A 0B1', 'K1A 0B1'],
    ['on', 'k1a0b1', 'K1A 0B1'],
    ['Quebec', 'H2X-1Y4', 'H2X 1Y4'],
    ['BC', 'V6B 1A1', 'V6B 1A1'],
    ['NU', 'X0A 0H0', 'X0A 0H0'],
    ['NT', 'X1A 2P7', 'X1A 2P7'],
  ])('accepts %s %s', (region, postal, want) => {
    const r = validateAddress({ ...base, country: 'CA', region, postalCode: postal });
    expect(r.ok && r.address.postalCode).toBe(want);
  });

  it.each([
    ['ON', '12345', 'format'],
    ['ON', 'K1A 0B', 'format'],
    ['ON', 'D1A 0B1', 'format'], // D never starts a postal code
    ['ON', 'K1O 0B1', 'format'], // O never appears
    ['ON', 'V6B 1A1', 'is not in Ontario'], // V is British Columbia
    ['QC', 'K1A 0B1', 'is not in Quebec'],
  ])('refuses %s %s (%s)', (region, postal, expected) => {
    const r = validateAddress({ ...base, country: 'CA', region, postalCode: postal });
    expect(fields(r)).toEqual(['postalCode']);
    expect(messages(r)[0]).toContain(expected === 'format' ? 'format A1A 1A1' : expected);
  });

  it('refuses a US state as a province', () => {
    const r = validateAddress({ ...base, country: 'CA', region: 'TX', postalCode: 'K1A 0B1' });
    expect(fields(r)).toEqual(['region']);
  });

  it('normalizes postal codes', () => {
    expect(normalizeCanadianPostalCode('m5v 3l9')).toBe('M5V 3L9');
    expect(normalizeCanadianPostalCode('W5V 3L9')).toBeUndefined();
  });
});

describe('Other countries: free region and postal code', () => {
  it.each([
    ['GB', 'Greater London', 'sw1a 1aa', 'SW1A 1AA'],
    ['DE', '', '10115', '10115'],
    ['IE', '', '', null],
    ['MX', 'Nuevo León', '64000', '64000'],
  ])('accepts %s', (country, region, postal, want) => {
    const r = validateAddress({ ...base, country, region, postalCode: postal });
    expect(r.ok && r.address.postalCode).toBe(want);
  });

  it.each([
    ['GB', 'x'.repeat(101), 'SW1A 1AA', 'region'],
    ['DE', '', '1011<script>', 'postalCode'],
    ['DE', '', '1'.repeat(21), 'postalCode'],
    ['ZZ', '', '', 'country'],
    ['', '', '', 'country'],
  ])('refuses %s / %s / %s', (country, region, postal, field) => {
    const r = validateAddress({ ...base, country, region, postalCode: postal });
    expect(fields(r)).toEqual([field]);
  });
});

describe('every country: street and city', () => {
  it('asks for the street and city, in form order', () => {
    const r = validateAddress({ country: 'DE', addressLine1: '  ', city: '' });
    expect(fields(r)).toEqual(['addressLine1', 'city']);
  });
  it('collapses spaces and formats one line', () => {
    const r = validateAddress({
      addressLine1: ' 8800   Ambassador Row ',
      addressLine2: 'Gate 3',
      city: 'Dallas',
      region: 'TX',
      postalCode: '75247',
      country: 'us',
    });
    expect(r.ok).toBe(true);
    if (r.ok)
      expect(formatAddress(r.address)).toBe('8800 Ambassador Row, Gate 3, Dallas, TX 75247, United States');
  });
});

describe('effective date (today pinned to 2026-11-16)', () => {
  it.each([
    ['2026-11-16', 'today'],
    ['2026-11-17', 'tomorrow'],
    ['2027-11-16', 'a year ahead'],
    [' 2026-12-01 ', 'with spaces'],
  ])('accepts %s (%s)', (value) => {
    expect(validateEffectiveDate(value, TODAY).ok).toBe(true);
  });

  it.each([
    ['', 'Enter the date'],
    ['2026-11-15', 'today (2026-11-16) or later'],
    ['2025-12-01', 'today (2026-11-16) or later'],
    ['2027-11-17', 'within a year'],
    ['2026-02-30', 'real date'],
    ['2026-13-01', 'real date'],
    ['12/01/2026', 'real date'],
    ['next week', 'real date'],
  ])('refuses %j', (value, message) => {
    const r = validateEffectiveDate(value, TODAY);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain(message);
  });

  it('follows the pinned date, not the wall clock', () => {
    expect(validateEffectiveDate('2026-11-16', '2026-11-17').ok).toBe(false);
    expect(validateEffectiveDate('2026-11-16', '2026-11-16').ok).toBe(true);
  });
});

describe('the whole form', () => {
  const good = {
    asset: ['3', '4'],
    addressLine1: '8800 Ambassador Row',
    city: 'Dallas',
    country: 'US',
    region: 'TX',
    postalCode: '75247',
    effectiveDate: '2026-12-01',
    contactName: 'Luis Ortega',
    contactPhone: '(713) 555-0188 ext. 12',
    contactEmail: 'luis@acme.example',
    reason: 'New yard',
    _csrf: 'ignored',
  };

  it('parses a good form into a request', () => {
    const r = parseForm(locationChangeSchema(TODAY), good);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.data.assetIds).toEqual([3, 4]);
      expect(r.data.address.region).toBe('TX');
    }
  });

  it('takes a single asset id as a string and drops repeats', () => {
    const one = parseForm(locationChangeSchema(TODAY), { ...good, asset: '7' });
    expect(one.ok && one.data.assetIds).toEqual([7]);
    const dup = parseForm(locationChangeSchema(TODAY), { ...good, asset: ['7', '7'] });
    expect(dup.ok && dup.data.assetIds).toEqual([7]);
  });

  it('reports every problem at once, in the order of the form, and keeps the values', () => {
    const r = parseForm(locationChangeSchema(TODAY), {
      asset: 'x',
      country: 'CA',
      region: 'ON',
      postalCode: '90210',
      effectiveDate: '2026-11-01',
      contactPhone: 'call me',
      contactEmail: 'not-an-email',
    });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors.map((e) => e.field)).toEqual([
        'asset',
        'addressLine1',
        'city',
        'postalCode',
        'effectiveDate',
        'contactName',
        'contactPhone',
        'contactEmail',
        'reason',
      ]);
      expect(r.values.contactEmail).toBe('not-an-email');
    }
  });
});

describe('status changes', () => {
  it('follow submitted → in_review → approved / rejected → completed', () => {
    expect(NEXT_STATUSES).toEqual({
      submitted: ['in_review'],
      in_review: ['approved', 'rejected'],
      approved: ['completed'],
      rejected: [],
      completed: [],
    });
  });
  it('need a comment to reject', () => {
    const r = parseForm(statusChangeSchema, { status: 'rejected', comment: ' ' });
    expect(!r.ok && r.errors.map((e) => e.field)).toEqual(['comment']);
    expect(parseForm(statusChangeSchema, { status: 'approved' }).ok).toBe(true);
    expect(!parseForm(statusChangeSchema, { status: 'done' }).ok).toBe(true);
  });
});
