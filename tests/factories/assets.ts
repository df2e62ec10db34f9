/**
 * Asset and location-change factories: createAsset(db, …) inserts an asset with a unique number
 * and serial and its first location-history row; createLocationChangeRequest(db, …) inserts a
 * request in a given status with its assets and a "submitted" event.
 */
import type { Knex } from 'knex';

let seq = 0;
const uniq = (): string => `${process.pid}${Date.now().toString(36)}${(seq++).toString(36)}`.toUpperCase();

export interface AssetOverrides {
  customer_id: number;
  contract_id: number;
  private_label_id: number;
  description?: string;
  make?: string;
  model?: string;
  serial_number?: string;
  vin?: string | null;
  year?: number;
  category?: string;
  cost_minor?: number;
  status?: string;
  address_line1?: string;
  city?: string;
  region?: string;
  postal_code?: string;
  country?: string;
}

export async function createAsset(db: Knex, o: AssetOverrides) {
  const u = uniq();
  const row = {
    number: `TA-${u}`,
    customer_id: o.customer_id,
    contract_id: o.contract_id,
    private_label_id: o.private_label_id,
    description: o.description ?? 'Test telehandler',
    make: o.make ?? 'JLG',
    model: o.model ?? '1055',
    serial_number: o.serial_number ?? `SN${u}`,
    vin: o.vin ?? null,
    year: o.year ?? 2025,
    category: o.category ?? 'Telehandler',
    cost_minor: o.cost_minor ?? 120_000_00,
    currency: 'USD',
    status: o.status ?? 'active',
    address_line1: o.address_line1 ?? '1 Test Way',
    address_line2: null,
    city: o.city ?? 'Austin',
    region: o.region ?? 'TX',
    postal_code: o.postal_code ?? '78701',
    country: o.country ?? 'US',
  };
  const [asset] = (await db('assets').insert(row).returning(['id', 'number', 'serial_number'])) as {
    id: number;
    number: string;
    serial_number: string;
  }[];
  await db('asset_location_history').insert({
    asset_id: asset!.id,
    address_line1: row.address_line1,
    city: row.city,
    region: row.region,
    postal_code: row.postal_code,
    country: row.country,
    effective_date: '2025-01-01',
  });
  return { ...asset!, serialNumber: asset!.serial_number };
}

export async function createLocationChangeRequest(
  db: Knex,
  o: {
    customer_id: number;
    private_label_id: number;
    asset_ids: number[];
    requested_by: number;
    status?: string;
    city?: string;
  },
) {
  const [r] = (await db('location_change_requests')
    .insert({
      number: `TLCR-${uniq()}`,
      customer_id: o.customer_id,
      private_label_id: o.private_label_id,
      requested_by: o.requested_by,
      address_line1: '9 Factory Road',
      city: o.city ?? 'Tulsa',
      region: 'OK',
      postal_code: '74103',
      country: 'US',
      effective_date: '2026-12-01',
      contact_name: 'Site Lead',
      contact_phone: '(918) 555-0100',
      contact_email: 'site@test.example',
      reason: 'Factory request',
      status: o.status ?? 'submitted',
    })
    .returning(['id', 'number'])) as { id: number; number: string }[];
  await db('location_change_request_assets').insert(
    o.asset_ids.map((asset_id) => ({ request_id: r!.id, asset_id })),
  );
  await db('location_change_request_events').insert({
    request_id: r!.id,
    status: 'submitted',
    actor_user_id: o.requested_by,
  });
  return r!;
}
