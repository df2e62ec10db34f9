import type { Knex } from 'knex';
import type { Label } from '../../http/types.ts';
import { labelBaseUrl, type LinkConfig } from './labels.links.ts';

interface LabelRow {
  id: number;
  code: string;
  name: string;
  hosts: string[];
  logo_path: string | null;
  primary_color: string | null;
  accent_color: string | null;
  support_email: string | null;
  support_phone: string | null;
  support_hours: string | null;
  email_from: string | null;
  public_url: string | null;
  primary_currency: string;
  secondary_currencies: string[];
  time_zone: string;
  locale: string;
  is_default: boolean;
}

export function createLabelsRepository(db: Knex) {
  return {
    /** Every label, each with the base URL of its e-mail links resolved from `links`. */
    async all(links: LinkConfig): Promise<Label[]> {
      const rows = await db<LabelRow>('private_labels')
        .select(
          'id',
          'code',
          'name',
          'hosts',
          'logo_path',
          'primary_color',
          'accent_color',
          'support_email',
          'support_phone',
          'support_hours',
          'email_from',
          'public_url',
          'primary_currency',
          'secondary_currencies',
          'time_zone',
          'locale',
          'is_default',
        )
        .orderBy('id');
      return rows.map((r) => ({
        id: r.id,
        code: r.code,
        name: r.name,
        hosts: r.hosts,
        logoPath: r.logo_path,
        primaryColor: r.primary_color ?? '#1d4f91',
        accentColor: r.accent_color ?? '#0b6e4f',
        supportEmail: r.support_email,
        supportPhone: r.support_phone,
        supportHours: r.support_hours,
        emailFrom: r.email_from,
        baseUrl: labelBaseUrl({ publicUrl: r.public_url, hosts: r.hosts, isDefault: r.is_default }, links),
        primaryCurrency: r.primary_currency.trim(),
        secondaryCurrencies: r.secondary_currencies,
        timeZone: r.time_zone,
        locale: r.locale,
        isDefault: r.is_default,
      }));
    },
  };
}
