/**
 * The portal's only view of a payment gateway. A real gateway is a new adapter implementing
 * this interface; nothing else changes. Card and bank details never pass through the portal:
 * the gateway's hosted page tokenises them and hands back a signed reference.
 */
export type MethodKind = 'card' | 'ach';

/** What a tokenisation leaves behind: display hints and a token, never a full number. */
export interface TokenisedMethod {
  kind: MethodKind;
  token: string;
  brand: string | null;
  last4: string;
  expMonth: number | null;
  expYear: number | null;
  bankName: string | null;
  accountHolder: string | null;
}

export interface ChargeRequest {
  token: string;
  amountMinor: number;
  currency: string;
  /** The portal's idempotency key: the same key twice is the same charge. */
  idempotencyKey: string;
}

export type ChargeResult =
  | { status: 'settled' | 'in_progress'; reference: string }
  | { status: 'declined' | 'failed'; reference: string | null; reason: string };

export type SettlementResult =
  { status: 'settled' } | { status: 'failed'; reason: string } | { status: 'pending' };

export interface PaymentGateway {
  readonly name: string;
  /** URL of the gateway's hosted page that collects a card or bank account. */
  hostedPageUrl(kind: MethodKind, returnTo: string, state: string): string;
  /**
   * Verifies a reference handed back on the return URL (server-side; a forged or altered
   * reference is refused) and returns what was tokenised.
   */
  retrieve(reference: string, state: string): TokenisedMethod | undefined;
  charge(req: ChargeRequest): Promise<ChargeResult>;
  /** For payments left `in_progress` (ACH): has the bank settled or returned it? */
  settlement(reference: string, submittedAt: Date, now: Date): Promise<SettlementResult>;
}
