/**
 * Resolves the contract filter of a list (invoices, assets) from its query string: `contract`
 * (an id, as other pages link to it) or `contractNumber` (what a fleet customer types).
 */
import { ttlCache } from '../../lib/ttl-cache.ts';
import type { ContractChoice, ContractFilterQueries } from './contract-filter.repository.ts';

interface Queries {
  contractById: ContractFilterQueries['contractById'];
  contractsByNumber: ContractFilterQueries['contractsByNumber'];
  /** `dataVersion`: the customer's data version when the caller knows it (src/lib/scope-cache.ts). */
  contractChoices(
    customerId: number,
    labelId: number,
    withAssets: boolean,
    limit: number,
    dataVersion?: string,
  ): Promise<ContractChoice[]>;
}

/**
 * The same queries with the select's choices (the first 51 contracts by number) kept per
 * customer, label and data version, like the figures of src/lib/scope-cache.ts: a list page then
 * costs no query for them, and a new contract shows at once. Without a version, asked each time.
 */
export function withCachedChoices(q: Queries): Queries {
  const cache = ttlCache<ContractChoice[]>({ ttlMs: 10 * 60_000, max: 2_000, now: Date.now });
  return {
    contractById: (...a) => q.contractById(...a),
    contractsByNumber: (...a) => q.contractsByNumber(...a),
    contractChoices: (customerId, labelId, withAssets, limit, dataVersion) => {
      const load = () => q.contractChoices(customerId, labelId, withAssets, limit);
      if (dataVersion === undefined) return load();
      return cache.get(`${customerId}:${labelId}:${withAssets}:${limit}:${dataVersion}`, load);
    },
  };
}

/** Up to this many contracts the filter is a select; beyond, a text input for the number. */
export const CONTRACT_SELECT_MAX = 50;

export interface ContractFilterInput {
  contract?: number | undefined;
  contractNumber?: string | undefined;
}

export interface ContractFilterView {
  /** `select`: choose from `options`; `text`: type the number into `contractNumber`. */
  mode: 'select' | 'text';
  options: ContractChoice[];
  /** The contract the list is filtered by, if any. */
  contractId: number | undefined;
  /** What the text input shows. */
  text: string;
  error: { field: 'contractNumber'; message: string } | undefined;
}

export async function resolveContractFilter(
  q: Queries,
  scope: { customerId: number; labelId: number; dataVersion?: string | undefined },
  input: ContractFilterInput,
  opts: { withAssets: boolean },
): Promise<ContractFilterView> {
  const { customerId, labelId } = scope;
  const first = await q.contractChoices(
    customerId,
    labelId,
    opts.withAssets,
    CONTRACT_SELECT_MAX + 1,
    scope.dataVersion,
  );
  const mode = first.length > CONTRACT_SELECT_MAX ? 'text' : 'select';
  const options = mode === 'select' ? first : [];
  const typed = input.contractNumber?.trim();
  if (typed) {
    const found = await q.contractsByNumber(customerId, labelId, opts.withAssets, typed, 2);
    if (found.length === 1 && found[0]) {
      const c = found[0];
      return { mode, options, contractId: c.id, text: c.number, error: undefined };
    }
    const message =
      found.length === 0
        ? `No contract has a number that is or starts with “${typed}”. Check the contract number.`
        : `More than one contract number starts with “${typed}”. Enter the full contract number.`;
    // A bad number shows the text input (with the error) whatever the customer's size.
    return {
      mode: 'text',
      options,
      contractId: undefined,
      text: typed,
      error: { field: 'contractNumber', message },
    };
  }
  if (input.contract) {
    if (mode === 'select') return { mode, options, contractId: input.contract, text: '', error: undefined };
    const c = await q.contractById(customerId, labelId, input.contract);
    // An id that is not theirs filters to nothing (as before), never to another customer's rows.
    return { mode, options, contractId: input.contract, text: c?.number ?? '', error: undefined };
  }
  return { mode, options, contractId: undefined, text: '', error: undefined };
}
