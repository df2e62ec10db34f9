/**
 * Seals short secrets (two-step TOTP keys) at rest with AES-256-GCM (node:crypto): a fresh
 * 96-bit IV per seal, the 128-bit tag checked on open, and associated data that binds the
 * sealed value to its owner (a value copied onto another user's row does not open).
 * Format: `v1.<iv>.<tag>.<ciphertext>`, each base64url; base32 secrets never contain a dot.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const PREFIX = 'v1.';

export class SecretBoxError extends Error {}

export function isSealed(value: string): boolean {
  return value.startsWith(PREFIX);
}

export function createSecretBox(key: Buffer) {
  if (key.length !== 32) throw new SecretBoxError('the key must be 32 bytes');
  return {
    seal(plain: string, context: string): string {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      const parts = [iv, cipher.getAuthTag(), body].map((b) => b.toString('base64url'));
      return PREFIX + parts.join('.');
    },

    /** The plain value; throws SecretBoxError when it was sealed with another key or context. */
    open(sealed: string, context: string): string {
      const [iv, tag, body] = sealed.slice(PREFIX.length).split('.');
      if (!isSealed(sealed) || !iv || !tag || body === undefined)
        throw new SecretBoxError('not a sealed value');
      const authTag = Buffer.from(tag, 'base64url');
      if (authTag.length !== 16) throw new SecretBoxError('not a sealed value');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), {
          authTagLength: 16,
        });
        decipher.setAAD(Buffer.from(context, 'utf8'));
        decipher.setAuthTag(authTag);
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
          'utf8',
        );
      } catch {
        throw new SecretBoxError(
          'a sealed value does not open: was TWO_STEP_ENCRYPTION_KEY changed since it was written?',
        );
      }
    },
  };
}
export type SecretBox = ReturnType<typeof createSecretBox>;
