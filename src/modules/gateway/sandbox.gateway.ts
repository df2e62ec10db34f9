/**
 * The built-in sandbox gateway. Test numbers (README.md) choose the outcome; the outcome is
 * carried inside the token. Its charges are kept by idempotency key in a `ChargeStore` (the
 * database, sandbox.charges.ts), so the same key is one charge across processes. The reference handed
 * back to the portal is HMAC-signed and bound to the state the portal issued, so a forged or
 * replayed return URL is refused. Nothing here keeps or logs a full number or a CVV.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type {
  ChargeRequest,
  ChargeResult,
  MethodKind,
  PaymentGateway,
  SettlementResult,
  TokenisedMethod,
} from './gateway.ts';
import type { ChargeStore, SandboxCharge } from './sandbox.charges.ts';

export type SandboxOutcome = 'approve' | 'decline' | 'nsf' | 'ach_return';

export const TEST_CARDS: Record<string, { outcome: SandboxOutcome; text: string }> = {
  '4242424242424242': { outcome: 'approve', text: 'Visa, approves' },
  '5555555555554444': { outcome: 'approve', text: 'Mastercard, approves' },
  '378282246310005': { outcome: 'approve', text: 'American Express, approves' },
  '4000000000000002': { outcome: 'decline', text: 'Visa, declined by the issuer' },
  '4000000000009995': { outcome: 'nsf', text: 'Visa, fails: insufficient funds' },
};
export const TEST_ROUTING = '110000000';
/** ACH accounts by their last four digits. */
export const TEST_ACCOUNTS: Record<string, { outcome: SandboxOutcome; text: string }> = {
  '6789': { outcome: 'approve', text: 'settles after the delay' },
  '0002': { outcome: 'ach_return', text: 'returned at settlement (R01 insufficient funds)' },
  '1116': { outcome: 'decline', text: 'refused at submission (account closed)' },
};

export function luhnOk(num: string): boolean {
  let sum = 0;
  for (let i = 0; i < num.length; i++) {
    let d = Number(num[num.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

export function cardBrand(num: string): string {
  if (/^4/.test(num)) return 'Visa';
  if (/^(5[1-5]|2[2-7])/.test(num)) return 'Mastercard';
  if (/^3[47]/.test(num)) return 'American Express';
  if (/^6/.test(num)) return 'Discover';
  return 'Card';
}

const OUTCOME_CODE: Record<SandboxOutcome, string> = {
  approve: 'ok',
  decline: 'dc',
  nsf: 'nf',
  ach_return: 'rt',
};
const CODE_OUTCOME = Object.fromEntries(Object.entries(OUTCOME_CODE).map(([k, v]) => [v, k])) as Record<
  string,
  SandboxOutcome
>;

function outcomeOf(token: string): SandboxOutcome {
  // Tokens minted before outcome codes (the demo data's `tok_sandbox_<kind>_…`) approve.
  if (/^tok_sandbox_(card|ach)_/.test(token)) return 'approve';
  const m = /^tok_sbx_(card|ach)_([a-z]{2})_/.exec(token);
  return (m && CODE_OUTCOME[m[2]!]) ?? 'decline';
}

export interface SandboxGateway extends PaymentGateway {
  /** Called by the sandbox's own hosted page (gateway.routes.ts) once it has checked the input. */
  tokenise(method: Omit<TokenisedMethod, 'token'>, outcome: SandboxOutcome, state: string): string;
  /** The charge the sandbox made for an idempotency key, and how many calls carried it (tests). */
  charged(idempotencyKey: string): Promise<SandboxCharge | undefined>;
  settlementDelayMs: number;
}

export function createSandboxGateway(opts: {
  secret: string;
  achSettlementDelayMinutes: number;
  /** Where charges are kept by idempotency key: `databaseChargeStore(db, clock.now)`. */
  charges: ChargeStore;
}): SandboxGateway {
  const key = createHash('sha256').update(`sandbox-gateway:${opts.secret}`).digest();
  const sign = (s: string): string => createHmac('sha256', key).update(s).digest('base64url');
  const refFor = (idempotencyKey: string, kind: string, code: string): string =>
    `sbx_${kind}_${code}_${sign(`charge:${idempotencyKey}`).slice(0, 20)}`;

  const gw: SandboxGateway = {
    name: 'sandbox',
    charged: (idempotencyKey) => opts.charges.find(idempotencyKey),
    settlementDelayMs: opts.achSettlementDelayMinutes * 60_000,
    hostedPageUrl(kind: MethodKind, returnTo: string, state: string): string {
      const q = new URLSearchParams({ return: returnTo, state });
      return `/gateway/sandbox/${kind === 'card' ? 'card' : 'bank-account'}?${q.toString()}`;
    },
    tokenise(method, outcome, state): string {
      const token = `tok_sbx_${method.kind}_${OUTCOME_CODE[outcome]}_${randomBytes(12).toString('hex')}`;
      const body = Buffer.from(JSON.stringify({ ...method, token, state })).toString('base64url');
      return `${body}.${sign(body)}`;
    },
    retrieve(reference: string, state: string): TokenisedMethod | undefined {
      const [body, mac] = reference.split('.');
      if (!body || !mac) return undefined;
      const want = Buffer.from(sign(body));
      const got = Buffer.from(mac);
      if (want.length !== got.length || !timingSafeEqual(want, got)) return undefined;
      try {
        const data = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TokenisedMethod & {
          state: string;
        };
        if (data.state !== state) return undefined;
        const { state: _s, ...method } = data;
        void _s;
        return method;
      } catch {
        return undefined;
      }
    },
    async charge(req: ChargeRequest): Promise<ChargeResult> {
      const kindMatch = /^tok_(?:sbx|sandbox)_(card|ach)_/.exec(req.token);
      if (!kindMatch) return { status: 'failed', reference: null, reason: 'Unknown payment method token' };
      const kind = kindMatch[1]!;
      const outcome = outcomeOf(req.token);
      let result: ChargeResult;
      if (outcome === 'decline')
        result = {
          status: 'declined',
          reference: refFor(req.idempotencyKey, kind, 'dc'),
          reason: kind === 'card' ? 'Card declined by the issuer' : 'Bank account refused: account closed',
        };
      else if (outcome === 'nsf' && kind === 'card')
        result = {
          status: 'declined',
          reference: refFor(req.idempotencyKey, kind, 'nf'),
          reason: 'Card declined: insufficient funds',
        };
      else if (kind === 'ach')
        result = {
          status: 'in_progress',
          reference: refFor(req.idempotencyKey, kind, OUTCOME_CODE[outcome]),
        };
      else result = { status: 'settled', reference: refFor(req.idempotencyKey, kind, 'ok') };
      // Idempotent: a key seen before (by any process) answers its first charge, never a second one.
      return opts.charges.once(req, result);
    },
    async settlement(reference: string, submittedAt: Date, now: Date): Promise<SettlementResult> {
      if (now.getTime() - submittedAt.getTime() < gw.settlementDelayMs) return { status: 'pending' };
      if (/^sbx_ach_rt_/.test(reference))
        return Promise.resolve({ status: 'failed', reason: 'Returned by the bank: R01 insufficient funds' });
      return Promise.resolve({ status: 'settled' });
    },
  };
  return gw;
}
