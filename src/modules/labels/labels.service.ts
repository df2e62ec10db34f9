/**
 * Private labels by host. The list is small and read on every request, so it is cached in
 * memory and reloaded after a minute (a new label or colour shows without a restart). A host
 * no label claims has no label: the request is refused (labels.middleware.ts), it does not fall
 * back to a default brand.
 */
import type { Clock } from '../../lib/clock.ts';
import { ttlCache } from '../../lib/ttl-cache.ts';
import type { Label } from '../../http/types.ts';
import type { LinkConfig } from './labels.links.ts';
import type { createLabelsRepository } from './labels.repository.ts';

const TTL_MS = 60_000;
/** For error pages rendered before a label is known (e.g. the database is down); no base URL. */
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
  baseUrl: '',
  primaryCurrency: 'USD',
  secondaryCurrencies: [],
  timeZone: 'America/New_York',
  locale: 'en-US',
  isDefault: true,
};

export function createLabelsService(
  repo: ReturnType<typeof createLabelsRepository>,
  clock: Clock,
  links: LinkConfig,
) {
  const cache = ttlCache<Label[]>({ ttlMs: TTL_MS, max: 1, now: () => clock.now().getTime() });

  function all(): Promise<Label[]> {
    return cache.get('all', () => repo.all(links));
  }

  return {
    all,
    /** The label that claims this host name (no port), or undefined. */
    async forHost(host: string): Promise<Label | undefined> {
      const h = host.toLowerCase();
      return (await all()).find((l) => l.hosts.includes(h));
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
