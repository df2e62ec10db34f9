/**
 * Sales-tax rates by location for partial (asset-scoped) payoff quotes: docs/domain.md "Payoff quote" says
 * each selected asset carries "the tax rate of its own location". The portal has no tax-rate
 * table in the database, so this small table is the source, keyed `COUNTRY-REGION` (ISO 3166
 * country, state/province postal code, as stored on assets). Rates are decimal strings for
 * applyRate. An asset whose location is missing or not listed uses the contract's tax_rate.
 *
 * US: the state-level sales tax only (county and city rates are not included).
 * CA: the combined rate a lessee pays on a lease buy-out: HST where it applies (ON 13%, NS 14%
 * from 2025-04-01), otherwise GST 5% plus the provincial PST/QST (BC 7%, MB 7%, SK 6%, QC 9.975%).
 * The same figures as the demo seed's places (seeds/catalog.ts). To change a rate, edit it here
 * (quotes already issued keep the rate they were computed with: it is stored in their inputs).
 */
export const SALES_TAX_RATES: Readonly<Record<string, string>> = {
  'US-AZ': '0.05600',
  'US-CA': '0.07250',
  'US-CO': '0.02900',
  'US-FL': '0.06000',
  'US-GA': '0.04000',
  'US-IL': '0.06250',
  'US-MA': '0.06250',
  'US-NC': '0.04750',
  'US-NJ': '0.06625',
  'US-NY': '0.04000',
  'US-OH': '0.05750',
  'US-OK': '0.04500',
  'US-OR': '0.00000',
  'US-PA': '0.06000',
  'US-TN': '0.07000',
  'US-TX': '0.06250',
  'US-WA': '0.06500',
  'CA-AB': '0.05000',
  'CA-BC': '0.12000',
  'CA-MB': '0.12000',
  'CA-NS': '0.14000',
  'CA-ON': '0.13000',
  'CA-QC': '0.14975',
  'CA-SK': '0.11000',
};

export interface LocationTax {
  rate: string;
  /** `US-TX` when the table gave the rate; undefined when the contract's rate was used. */
  location: string | undefined;
}

/** The rate for an asset's location, or the contract's rate when the location is not listed. */
export function locationTaxRate(
  where: { country: string | null; region: string | null },
  contractRate: string,
): LocationTax {
  const key = `${(where.country ?? '').trim().toUpperCase()}-${(where.region ?? '').trim().toUpperCase()}`;
  const rate = SALES_TAX_RATES[key];
  return rate === undefined ? { rate: contractRate, location: undefined } : { rate, location: key };
}
