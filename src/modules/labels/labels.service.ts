/**
 * Private labels by host. The list is small and read on every request, so it is cached in
 * memory and reloaded after a minute (a new label or colour shows without a restart).
 */
import type { Clock } from '../../lib/clock.ts';
import { ttlCache } from '../../lib/ttl-cache.ts';
import type { Label } from '../../http/types.ts';
import type { createLabelsRepository } from './labels.repository.ts';

const TTL_MS = 60_000;
export const FALLBACK_LABEL: Label = {
  id: 0,
  code: 'portal',
  name: 'Customer Portal',
  hosts: [],
  logoPath: null,
  primaryColor: '#1d4f91',
  accentColor: '#0b6e4f',
  supportEmail: null,
  supportPhone: null,
  supportHours: null,
  emailFrom: null,
  primaryCurrency: 'USD',
  secondaryCurrencies: [],
  timeZone: 'America/New_York',
  locale: 'en-US',
  isDefault: true,
};

export function createLabelsService(
  repo: ReturnType<typeof createLabelsRepository>,
  clock: Clock,
  defaultCode: string,
) {
  const cache = ttlCache<Label[]>({ ttlMs: TTL_MS, max: 1, now: () => clock.now().getTime() });

  function all(): Promise<Label[]> {
    return cache.get('all', () => repo.all());
  }

  return {
    all,
    async forHost(host: string): Promise<Label> {
      const labels = await all();
      const h = host.toLowerCase();
      return (
        labels.find((l) => l.hosts.includes(h)) ??
        labels.find((l) => l.code === defaultCode) ??
        labels.find((l) => l.isDefault) ??
        labels[0] ??
        FALLBACK_LABEL
      );
    },
    async byCode(code: string): Promise<Label | undefined> {
      return (await all()).find((l) => l.code === code);
    },
    invalidate(): void {
      cache.clear();
    },
  };
}
export type LabelsService = ReturnType<typeof createLabelsService>;
