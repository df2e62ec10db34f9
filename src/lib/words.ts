/** Words shown to people from codes kept in the database. */

/** The trade's abbreviations, kept in capitals when a code is written as words. */
const ABBREVIATIONS = /\b(fmv|trac|ach|pdf|csv|xlsx|vin|id)\b/gi;

/** 'paid_off' → 'Paid off', 'payment.submitted' → 'Payment submitted', 'fmv' → 'FMV', 'trac' → 'TRAC'. */
export function humanize(code: string): string {
  const t = code.replace(/[_.]/g, ' ').replace(ABBREVIATIONS, (w) => w.toUpperCase());
  return t.charAt(0).toUpperCase() + t.slice(1);
}
