/**
 * Postal addresses by country: the United States (state + ZIP or ZIP+4), Canada (province or
 * territory + postal code A1A 1A1, whose first letter must belong to the province) and every
 * other country (free region and postal code). Pure functions, no I/O.
 */
import type { FieldError } from '../../http/errors.ts';

export interface Address {
  line1: string;
  line2: string | null;
  city: string;
  region: string | null;
  postalCode: string | null;
  country: string;
}

export interface AddressInput {
  addressLine1?: string;
  addressLine2?: string;
  city?: string;
  region?: string;
  postalCode?: string;
  country?: string;
}

export const US_STATES: Record<string, string> = {
  AL: 'Alabama',
  AK: 'Alaska',
  AZ: 'Arizona',
  AR: 'Arkansas',
  CA: 'California',
  CO: 'Colorado',
  CT: 'Connecticut',
  DE: 'Delaware',
  DC: 'District of Columbia',
  FL: 'Florida',
  GA: 'Georgia',
  HI: 'Hawaii',
  ID: 'Idaho',
  IL: 'Illinois',
  IN: 'Indiana',
  IA: 'Iowa',
  KS: 'Kansas',
  KY: 'Kentucky',
  LA: 'Louisiana',
  ME: 'Maine',
  MD: 'Maryland',
  MA: 'Massachusetts',
  MI: 'Michigan',
  MN: 'Minnesota',
  MS: 'Mississippi',
  MO: 'Missouri',
  MT: 'Montana',
  NE: 'Nebraska',
  NV: 'Nevada',
  NH: 'New Hampshire',
  NJ: 'New Jersey',
  NM: 'New Mexico',
  NY: 'New York',
  NC: 'North Carolina',
  ND: 'North Dakota',
  OH: 'Ohio',
  OK: 'Oklahoma',
  OR: 'Oregon',
  PA: 'Pennsylvania',
  PR: 'Puerto Rico',
  RI: 'Rhode Island',
  SC: 'South Carolina',
  SD: 'South Dakota',
  TN: 'Tennessee',
  TX: 'Texas',
  UT: 'Utah',
  VT: 'Vermont',
  VA: 'Virginia',
  WA: 'Washington',
  WV: 'West Virginia',
  WI: 'Wisconsin',
  WY: 'Wyoming',
};

export const CA_PROVINCES: Record<string, string> = {
  AB: 'Alberta',
  BC: 'British Columbia',
  MB: 'Manitoba',
  NB: 'New Brunswick',
  NL: 'Newfoundland and Labrador',
  NS: 'Nova Scotia',
  NT: 'Northwest Territories',
  NU: 'Nunavut',
  ON: 'Ontario',
  PE: 'Prince Edward Island',
  QC: 'Quebec',
  SK: 'Saskatchewan',
  YT: 'Yukon',
};

/** Canada Post: the first letter of a postal code names the province or territory. */
const CA_FIRST_LETTER: Record<string, string[]> = {
  A: ['NL'],
  B: ['NS'],
  C: ['PE'],
  E: ['NB'],
  G: ['QC'],
  H: ['QC'],
  J: ['QC'],
  K: ['ON'],
  L: ['ON'],
  M: ['ON'],
  N: ['ON'],
  P: ['ON'],
  R: ['MB'],
  S: ['SK'],
  T: ['AB'],
  V: ['BC'],
  X: ['NT', 'NU'],
  Y: ['YT'],
};

/** Countries offered in the form (ISO 3166-1 alpha-2). The US and Canada come first. */
const OTHER_COUNTRY_CODES = [
  'MX', 'AR', 'AU', 'AT', 'BE', 'BR', 'CL', 'CN', 'CO', 'CZ', 'DK', 'FI', 'FR', 'DE', 'IN', 'IE', 'IT',
  'JP', 'KR', 'NL', 'NZ', 'NO', 'PE', 'PL', 'PT', 'SG', 'ZA', 'ES', 'SE', 'CH', 'AE', 'GB',
]; // prettier-ignore

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });
export const countryName = (code: string): string => regionNames.of(code) ?? code;

export const COUNTRIES: { code: string; name: string }[] = [
  { code: 'US', name: 'United States' },
  { code: 'CA', name: 'Canada' },
  ...OTHER_COUNTRY_CODES.map((code) => ({ code, name: countryName(code) })).sort((a, b) =>
    a.name.localeCompare(b.name),
  ),
];
const COUNTRY_CODES = new Set(COUNTRIES.map((c) => c.code));

export type AddressKind = 'us' | 'ca' | 'other';
export const addressKind = (country: string): AddressKind =>
  country === 'US' ? 'us' : country === 'CA' ? 'ca' : 'other';

/** "Texas (TX)" for a known US state or Canadian province, else the stored text. */
export function regionLabel(region: string | null, country: string | null): string {
  if (!region) return '';
  const name = country === 'CA' ? CA_PROVINCES[region] : country === 'US' ? US_STATES[region] : undefined;
  return name ?? region;
}

const text = (v: unknown): string => (typeof v === 'string' ? v.trim().replace(/\s+/g, ' ') : '');

/** Finds a state or province by code or full name, case-insensitively. */
function lookupRegion(list: Record<string, string>, value: string): string | undefined {
  const upper = value.toUpperCase();
  if (list[upper]) return upper;
  return Object.entries(list).find(([, name]) => name.toUpperCase() === upper)?.[0];
}

/** 12345, 12345-6789 or 123456789 → 12345 or 12345-6789. */
export function normalizeZip(value: string): string | undefined {
  const m = /^(\d{5})(?:[-\s]?(\d{4}))?$/.exec(value.trim());
  if (!m) return undefined;
  return m[2] ? `${m[1]}-${m[2]}` : m[1];
}

/** a1a1a1, A1A-1A1, A1A 1A1 → A1A 1A1 (letters D, F, I, O, Q, U never appear; W, Z never first). */
export function normalizeCanadianPostalCode(value: string): string | undefined {
  const compact = value.trim().toUpperCase().replace(/[\s-]/g, '');
  if (!/^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z]\d[ABCEGHJ-NPRSTV-Z]\d$/.test(compact)) return undefined;
  return `${compact.slice(0, 3)} ${compact.slice(3)}`;
}

/**
 * Checks an address for its country. Errors come in field order with the form's field names
 * (addressLine1, city, country, region, postalCode); the value is normalised (codes upper-cased,
 * ZIP and postal code formatted).
 */
export function validateAddress(
  input: AddressInput,
): { ok: true; address: Address } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const line1 = text(input.addressLine1);
  const line2 = text(input.addressLine2);
  const city = text(input.city);
  const country = text(input.country).toUpperCase();
  const regionIn = text(input.region);
  const postalIn = text(input.postalCode);

  if (!line1) errors.push({ field: 'addressLine1', message: 'Enter the street address' });
  else if (line1.length > 200)
    errors.push({ field: 'addressLine1', message: 'Street address must be 200 characters or fewer' });
  if (line2.length > 200)
    errors.push({ field: 'addressLine2', message: 'Address line 2 must be 200 characters or fewer' });
  if (!city) errors.push({ field: 'city', message: 'Enter the city or town' });
  else if (city.length > 100)
    errors.push({ field: 'city', message: 'City or town must be 100 characters or fewer' });
  if (!COUNTRY_CODES.has(country))
    errors.push({ field: 'country', message: 'Choose a country from the list' });

  let region: string | null = null;
  let postalCode: string | null = null;
  const kind = addressKind(country);
  if (kind === 'us') {
    region = regionIn ? (lookupRegion(US_STATES, regionIn) ?? null) : null;
    if (!regionIn) errors.push({ field: 'region', message: 'Choose the state' });
    else if (!region) errors.push({ field: 'region', message: 'Choose a US state from the list' });
    postalCode = postalIn ? (normalizeZip(postalIn) ?? null) : null;
    if (!postalIn) errors.push({ field: 'postalCode', message: 'Enter the ZIP code' });
    else if (!postalCode)
      errors.push({
        field: 'postalCode',
        message: 'Enter a ZIP code of 5 digits, or 9 digits as ZIP+4, like 75201 or 75201-4410',
      });
  } else if (kind === 'ca') {
    region = regionIn ? (lookupRegion(CA_PROVINCES, regionIn) ?? null) : null;
    if (!regionIn) errors.push({ field: 'region', message: 'Choose the province or territory' });
    else if (!region)
      errors.push({ field: 'region', message: 'Choose a Canadian province or territory from the list' });
    postalCode = postalIn ? (normalizeCanadianPostalCode(postalIn) ?? null) : null;
    if (!postalIn) errors.push({ field: 'postalCode', message: 'Enter the postal code' });
    else if (!postalCode)
      errors.push({
        field: 'postalCode',
        message: 'Enter a postal code in the format A1A 1A1, like K1A 0B1',
      });
    else if (region && !CA_FIRST_LETTER[postalCode[0]!]?.includes(region))
      errors.push({
        field: 'postalCode',
        message: `Postal code ${postalCode} is not in ${CA_PROVINCES[region]}: check the postal code or the province`,
      });
  } else {
    if (regionIn.length > 100)
      errors.push({ field: 'region', message: 'Region must be 100 characters or fewer' });
    if (postalIn.length > 20 || (postalIn && !/^[A-Za-z0-9][A-Za-z0-9 -]*$/.test(postalIn)))
      errors.push({
        field: 'postalCode',
        message: 'Enter a postal code of up to 20 letters, digits, spaces or hyphens',
      });
    region = regionIn || null;
    postalCode = postalIn ? postalIn.toUpperCase() : null;
  }

  if (errors.length) return { ok: false, errors };
  return { ok: true, address: { line1, line2: line2 || null, city, region, postalCode, country } };
}

/** One line for tables and e-mails: "2450 Irving Blvd, Dallas, TX 75201, United States". */
export function formatAddress(a: {
  line1: string | null;
  line2?: string | null;
  city: string | null;
  region: string | null;
  postalCode: string | null;
  country: string | null;
}): string {
  const cityLine = [a.city, [a.region, a.postalCode].filter(Boolean).join(' ')].filter(Boolean).join(', ');
  return [a.line1, a.line2, cityLine, a.country ? countryName(a.country) : null].filter(Boolean).join(', ');
}
