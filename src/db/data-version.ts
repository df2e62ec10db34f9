/**
 * SQL for a customer's data version (migrations/20261129001000_customer_changes.ts), given an
 * SQL expression of its id: the number of committed writes to its data, as text. Read with the
 * session's user (or the superuser's chosen customer) on every request; see src/lib/scope-cache.ts.
 */
export const DATA_VERSION = (customerIdSql: string): string =>
  `(select coalesce(sum(ch.changes), 0) from customer_changes ch where ch.customer_id = ${customerIdSql})::text`;
