/**
 * Two-step sign-in with TOTP (RFC 6238, otpauth): enrolment shows a QR code (qrcode, as a
 * data: URL) and the key as text; the first code confirms it and yields ten single-use recovery
 * codes (stored as sha256). A code is accepted once (the last time step is remembered), one
 * step either side of now. Guesses are throttled per user (whoever sends them already has the
 * password): 10, then delays of 1, 2, 4 … up to 15 minutes, each attempt taken atomically in
 * PostgreSQL before the code is checked (throttle.repository.ts).
 *
 * Secrets are sealed at rest with AES-256-GCM (secret-box.ts, TWO_STEP_ENCRYPTION_KEY), bound to
 * their user; a key being enrolled is sealed in the session too. Rows written in clear before
 * sealing existed are sealed the first time they are read, or all at once by sealLegacySecrets().
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';
import type { Clock } from '../../lib/clock.ts';
import type { AuditRepository } from '../audit/audit.repository.ts';
import { createSecretBox, isSealed, SecretBoxError } from './secret-box.ts';
import type { ThrottleRepository, ThrottleRule } from './throttle.repository.ts';

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
const normaliseCode = (s: string): string => s.replace(/[\s-]/g, '').toLowerCase();

export interface Ctx {
  ip: string | null;
  requestId: string;
  customerId: number | null;
  /** Who acts, when not the user themselves (an admin resetting it). */
  actorUserId?: number;
}

export type VerifyResult = 'ok' | 'wrong' | { throttledSeconds: number };

const GUESSES: ThrottleRule = { free: 10, baseMs: 60_000, maxMs: 15 * 60_000, forgetMs: 60 * 60_000 };
const userContext = (userId: number): string => `users.totp_secret:${userId}`;
const enrolContext = (userId: number): string => `session.two_step_enrol:${userId}`;

export function createTwoStepService(d: {
  db: Knex;
  clock: Clock;
  audit: AuditRepository;
  throttle: ThrottleRepository;
  encryptionKey: Buffer;
}) {
  const { db, clock, audit, throttle } = d;
  const box = createSecretBox(d.encryptionKey);
  const guessKey = (userId: number): string => `two_step_user:${userId}`;

  /** The stored secret in clear; a row still in clear is sealed on the way (once). */
  async function secretOf(userId: number, stored: string): Promise<string> {
    if (isSealed(stored)) return box.open(stored, userContext(userId));
    await db('users')
      .where({ id: userId, totp_secret: stored })
      .update({ totp_secret: box.seal(stored, userContext(userId)) });
    return stored;
  }

  // The issuer only names the entry in the authenticator app; it does not change the codes.
  const totp = (secret: string, email: string, issuer = 'Customer Portal') =>
    new TOTP({ issuer, label: email, secret: Secret.fromBase32(secret), digits: 6, period: 30 });

  /** The time step a code belongs to, or undefined. */
  function stepOf(secret: string, email: string, code: string): number | undefined {
    const token = code.replace(/\s/g, '');
    if (!/^\d{6}$/.test(token)) return undefined;
    const now = clock.now().getTime();
    const delta = totp(secret, email).validate({ token, timestamp: now, window: 1 });
    return delta === null ? undefined : Math.floor(now / 30_000) + delta;
  }

  return {
    async isEnabled(userId: number): Promise<boolean> {
      const row = (await db('users').where({ id: userId }).first('totp_enabled_at')) as
        { totp_enabled_at: Date | null } | undefined;
      return Boolean(row?.totp_enabled_at);
    },

    async status(userId: number): Promise<{ enabled: boolean; recoveryCodesLeft: number }> {
      const enabled = await this.isEnabled(userId);
      const [{ n }] = (await db('user_recovery_codes')
        .where({ user_id: userId })
        .whereNull('used_at')
        .count<{ n: number }[]>({ n: '*' })) as [{ n: number }];
      return { enabled, recoveryCodesLeft: Number(n) };
    },

    /** A fresh key for enrolment, sealed for the session (where it stays until confirmed). */
    newEnrolment(userId: number): string {
      return box.seal(new Secret({ size: 20 }).base32, enrolContext(userId));
    },

    /** The key of an enrolment in progress; undefined if it does not open (another key, user). */
    enrolmentSecret(sealed: string, userId: number): string | undefined {
      try {
        return box.open(sealed, enrolContext(userId));
      } catch (err) {
        if (err instanceof SecretBoxError) return undefined;
        throw err;
      }
    },

    /** Seals every secret still stored in clear (written before sealing existed); returns how many. */
    async sealLegacySecrets(): Promise<number> {
      const rows = (await db('users')
        .whereNotNull('totp_secret')
        .whereNot('totp_secret', 'like', 'v1.%')
        .select('id', 'totp_secret')) as { id: number; totp_secret: string }[];
      for (const r of rows) await secretOf(r.id, r.totp_secret);
      return rows.length;
    },

    /** The QR code (a data: URL) for an authenticator app. */
    async qrFor(secret: string, email: string, issuer: string): Promise<{ qr: string; uri: string }> {
      const uri = totp(secret, email, issuer).toString();
      return { qr: await QRCode.toDataURL(uri, { errorCorrectionLevel: 'M', margin: 2, width: 220 }), uri };
    },

    /** Confirms enrolment with a first code; returns the recovery codes to show once. */
    async enable(
      user: { id: number; email: string },
      sealedEnrolment: string,
      code: string,
      ctx: Ctx,
    ): Promise<string[] | undefined> {
      const secret = this.enrolmentSecret(sealedEnrolment, user.id);
      if (secret === undefined) return undefined;
      const step = stepOf(secret, user.email, code);
      if (step === undefined) return undefined;
      const codes = Array.from({ length: 10 }, () => {
        const raw = randomBytes(5).toString('hex'); // 10 hex characters, 40 bits
        return `${raw.slice(0, 5)}-${raw.slice(5)}`;
      });
      await db.transaction(async (trx) => {
        await trx('users')
          .where({ id: user.id })
          .update({
            totp_secret: box.seal(secret, userContext(user.id)),
            totp_enabled_at: clock.now(),
            totp_last_step: step,
          });
        await trx('user_recovery_codes').where({ user_id: user.id }).del();
        await trx('user_recovery_codes').insert(
          codes.map((c) => ({ user_id: user.id, code_hash: sha256(normaliseCode(c)) })),
        );
        await audit.record(
          {
            actorUserId: user.id,
            actingCustomerId: ctx.customerId,
            action: 'two_step.enable',
            entityType: 'user',
            entityId: user.id,
            after: { twoStep: true },
            ip: ctx.ip,
            requestId: ctx.requestId,
          },
          trx,
        );
      });
      return codes;
    },

    async disable(userId: number, ctx: Ctx): Promise<void> {
      await db.transaction(async (trx) => {
        await trx('users')
          .where({ id: userId })
          .update({ totp_secret: null, totp_enabled_at: null, totp_last_step: null });
        await trx('user_recovery_codes').where({ user_id: userId }).del();
        await audit.record(
          {
            actorUserId: ctx.actorUserId ?? userId,
            actingCustomerId: ctx.customerId,
            action: 'two_step.disable',
            entityType: 'user',
            entityId: userId,
            before: { twoStep: true },
            after: { twoStep: false },
            ip: ctx.ip,
            requestId: ctx.requestId,
          },
          trx,
        );
      });
    },

    /** The second step at sign-in: a current code (once) or an unused recovery code. */
    async verify(userId: number, input: string, ctx: Ctx): Promise<VerifyResult> {
      // The guess is taken (atomically) before the code is looked at.
      const took = await throttle.take(guessKey(userId), GUESSES, clock.now().getTime());
      if (!took.ok) return { throttledSeconds: Math.max(1, Math.ceil(took.retryAfterMs / 1000)) };
      const user = (await db('users')
        .where({ id: userId })
        .first('email', 'totp_secret', 'totp_last_step')) as
        { email: string; totp_secret: string | null; totp_last_step: number | null } | undefined;
      if (!user?.totp_secret) return 'wrong';
      let how: 'code' | 'recovery_code' | undefined;
      const step = stepOf(await secretOf(userId, user.totp_secret), user.email, input);
      if (step !== undefined) {
        const used = await db('users')
          .where({ id: userId })
          .where((w) => void w.whereNull('totp_last_step').orWhere('totp_last_step', '<', step))
          .update({ totp_last_step: step });
        if (used === 1) how = 'code';
      } else {
        const used = await db('user_recovery_codes')
          .where({ user_id: userId, code_hash: sha256(normaliseCode(input)) })
          .whereNull('used_at')
          .update({ used_at: clock.now() });
        if (used === 1) how = 'recovery_code';
      }
      await audit.record({
        actorUserId: userId,
        actingCustomerId: ctx.customerId,
        action: how ? 'auth.two_step_passed' : 'auth.two_step_failed',
        entityType: 'user',
        entityId: userId,
        after: how ? { with: how } : undefined,
        ip: ctx.ip,
        requestId: ctx.requestId,
      });
      if (!how) return 'wrong';
      await throttle.clear(guessKey(userId));
      return 'ok';
    },
  };
}
export type TwoStepService = ReturnType<typeof createTwoStepService>;

declare module 'express-session' {
  interface SessionData {
    /** Password accepted, code still to come (expires after 5 minutes). */
    twoStep?: { userId: number; returnTo: string; at: number };
    /** A key being enrolled on /account/two-step (sealed), until its first code confirms it. */
    twoStepEnrol?: { sealed: string; at: number };
  }
}

/** The `code` field of a posted form, trimmed and capped; '' when absent. */
export function postedCode(body: unknown, max = 64): string {
  const v = (body as Record<string, unknown> | undefined)?.code;
  return typeof v === 'string' ? v.trim().slice(0, max) : '';
}
