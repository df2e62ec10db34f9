/**
 * Single-use links for setting a password: a random 256-bit token goes in the e-mail, only its
 * sha256 is stored. Reset links last 1 hour, invitations 72 hours; issuing a new link retires
 * the user's earlier unused ones of the same purpose.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Knex } from 'knex';

export type TokenPurpose = 'reset' | 'invite';
export const TOKEN_TTL_MS: Record<TokenPurpose, number> = {
  reset: 60 * 60 * 1000,
  invite: 72 * 60 * 60 * 1000,
};

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

export async function issueToken(
  trx: Knex,
  userId: number,
  purpose: TokenPurpose,
  now: Date,
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + TOKEN_TTL_MS[purpose]);
  await trx('password_reset_tokens')
    .where({ user_id: userId, purpose })
    .whereNull('used_at')
    .update({ used_at: now });
  await trx('password_reset_tokens').insert({
    user_id: userId,
    token_hash: sha256(token),
    purpose,
    expires_at: expiresAt,
  });
  return { token, expiresAt };
}

/** Tokens are base64url of 32 bytes; anything else is not looked up at all. */
export const looksLikeToken = (s: string): boolean => /^[A-Za-z0-9_-]{43}$/.test(s);
