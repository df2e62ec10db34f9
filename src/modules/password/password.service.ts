/**
 * Forgotten passwords, reset and invitation links, and changing one's own password. Every
 * change bumps the user's session version, so their other sessions end on their next request.
 */
import { hash, verify } from '@node-rs/argon2';
import type { Knex } from 'knex';
import { RateLimiterPostgres } from 'rate-limiter-flexible';
import type { Label } from '../../http/types.ts';
import type { Clock } from '../../lib/clock.ts';
import type { Logger } from '../../lib/logger.ts';
import type { AuditRepository } from '../audit/audit.repository.ts';
import { ARGON2_OPTIONS } from '../auth/auth.service.ts';
import type { OutboxService } from '../outbox/outbox.service.ts';
import { enqueuePasswordEmail, PASSWORD_LINK, passwordLinkRenderer } from './password.email.ts';
import { looksLikeToken, sha256, type TokenPurpose } from './password.tokens.ts';

export interface Ctx {
  ip: string | null;
  requestId: string;
}

interface TokenRow {
  id: number;
  user_id: number;
  purpose: TokenPurpose;
  email: string;
  name: string;
  status: 'invited' | 'active' | 'inactive';
  customer_id: number | null;
}

/**
 * `afterResponse`: the part that depends on whether the address is known (look-up, audit, the
 * e-mail), to run once the answer has gone, so its duration tells nothing. It never rejects.
 */
export type ForgotResult =
  { ok: true; afterResponse: () => Promise<void> } | { ok: false; retryAfterSeconds: number };

export function createPasswordService(d: {
  db: Knex;
  clock: Clock;
  audit: AuditRepository;
  outbox: OutboxService;
  logger: Logger;
  labels: () => Promise<Label[]>;
  limits?: { perAddress: number; perIp: number };
}) {
  const { db, clock, audit } = d;
  // Reset and invitation links are minted when the outbox sends them (password.email.ts).
  d.outbox.register(PASSWORD_LINK, passwordLinkRenderer({ db, clock, labels: d.labels }));
  const common = {
    storeClient: db,
    storeType: 'knex',
    tableName: 'rate_limits',
    tableCreated: true,
    clearExpiredByTimeout: false,
  };
  const byAddress = new RateLimiterPostgres({
    ...common,
    keyPrefix: 'forgot_email',
    points: d.limits?.perAddress ?? 3,
    duration: 60 * 60,
  });
  const byIp = new RateLimiterPostgres({
    ...common,
    keyPrefix: 'forgot_ip',
    points: d.limits?.perIp ?? 20,
    duration: 60 * 60,
  });

  async function validToken(token: string, trx: Knex = db): Promise<TokenRow | undefined> {
    if (!looksLikeToken(token)) return undefined;
    const row = (await trx('password_reset_tokens as t')
      .join('users as u', 'u.id', 't.user_id')
      .where('t.token_hash', sha256(token))
      .whereNull('t.used_at')
      .where('t.expires_at', '>', clock.now())
      .whereNot('u.status', 'inactive')
      .first('t.id', 't.user_id', 't.purpose', 'u.email', 'u.name', 'u.status', 'u.customer_id')) as
      TokenRow | undefined;
    // An invitation link is for someone who has not set a password yet; a reset link for an active user.
    if (!row || (row.purpose === 'invite' && row.status !== 'invited')) return undefined;
    if (row.purpose === 'reset' && row.status !== 'active') return undefined;
    return row;
  }

  /** The known-address part of a forgotten-password request (see ForgotResult). */
  async function requestReset(email: string, label: Label, ctx: Ctx): Promise<void> {
    const user = (await db('users').where({ email, status: 'active' }).first('id', 'customer_id')) as
      { id: number; customer_id: number | null } | undefined;
    await audit.record({
      actorUserId: user?.id ?? null,
      actingCustomerId: user?.customer_id ?? null,
      action: 'password.reset_requested',
      entityType: 'user',
      entityId: user?.id ?? null,
      after: user ? undefined : { email, known: false },
      ip: ctx.ip,
      requestId: ctx.requestId,
    });
    if (!user) return;
    await enqueuePasswordEmail(d.outbox, db, { purpose: 'reset', user: { id: user.id, email }, label });
    d.outbox.drainSoon();
  }

  return {
    /**
     * Throttles (every request counts, known address or not), then leaves the rest to
     * `afterResponse`: a reset link is queued when the address belongs to an active user. The
     * caller shows the same answer either way, before that work is done.
     */
    async forgot(emailInput: string, ip: string, label: Label, ctx: Ctx): Promise<ForgotResult> {
      const email = emailInput.trim().toLowerCase();
      try {
        await Promise.all([byAddress.consume(email), byIp.consume(ip)]);
      } catch (e) {
        const ms = (e as { msBeforeNext?: number }).msBeforeNext;
        if (typeof ms !== 'number') throw e;
        return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(ms / 1000)) };
      }
      return {
        ok: true,
        afterResponse: () =>
          requestReset(email, label, ctx).catch((err: unknown) => {
            d.logger.error({ err, requestId: ctx.requestId }, 'password reset request failed');
          }),
      };
    },

    /** The link's user and purpose, or undefined when unknown, used, expired or deactivated. */
    async check(
      token: string,
    ): Promise<
      { email: string; name: string; purpose: TokenPurpose; customerName: string | null } | undefined
    > {
      const row = await validToken(token);
      if (!row) return undefined;
      // The customer's name is one of the words the password policy refuses to build on.
      const customer = row.customer_id
        ? ((await db('customers').where({ id: row.customer_id }).first('name')) as
            { name: string } | undefined)
        : undefined;
      return { email: row.email, name: row.name, purpose: row.purpose, customerName: customer?.name ?? null };
    },

    /** Uses the link once: sets the password, activates an invited user, ends other sessions. */
    async reset(token: string, password: string, ctx: Ctx): Promise<{ userId: number } | undefined> {
      const passwordHash = await hash(password, ARGON2_OPTIONS);
      return db.transaction(async (trx) => {
        const row = await validToken(token, trx);
        if (!row) return undefined;
        const used = await trx('password_reset_tokens')
          .where({ id: row.id })
          .whereNull('used_at')
          .update({ used_at: clock.now() });
        if (used !== 1) return undefined; // someone else used it a moment ago
        await trx('users')
          .where({ id: row.user_id })
          .update({
            password_hash: passwordHash,
            status: 'active',
            session_version: trx.raw('session_version + 1'),
            failed_logins: 0,
            locked_until: null,
            updated_at: clock.now(),
          });
        await audit.record(
          {
            actorUserId: row.user_id,
            actingCustomerId: row.customer_id,
            action: row.purpose === 'invite' ? 'user.invitation_accepted' : 'password.reset',
            entityType: 'user',
            entityId: row.user_id,
            before: { status: row.status },
            after: { status: 'active', passwordChanged: true },
            ip: ctx.ip,
            requestId: ctx.requestId,
          },
          trx,
        );
        return { userId: row.user_id };
      });
    },

    /** Checks the current password; undefined when it is wrong. */
    async change(
      userId: number,
      current: string,
      next: string,
      ctx: Ctx & { customerId: number | null },
    ): Promise<'changed' | 'wrong_current'> {
      const row = (await db('users').where({ id: userId, status: 'active' }).first('password_hash')) as
        { password_hash: string | null } | undefined;
      const ok = row?.password_hash ? await verify(row.password_hash, current).catch(() => false) : false;
      if (!ok) {
        await audit.record({
          actorUserId: userId,
          actingCustomerId: ctx.customerId,
          action: 'password.change_failed',
          entityType: 'user',
          entityId: userId,
          ip: ctx.ip,
          requestId: ctx.requestId,
        });
        return 'wrong_current';
      }
      const passwordHash = await hash(next, ARGON2_OPTIONS);
      await db.transaction(async (trx) => {
        await trx('users')
          .where({ id: userId })
          .update({
            password_hash: passwordHash,
            session_version: trx.raw('session_version + 1'),
            updated_at: clock.now(),
          });
        await trx('password_reset_tokens')
          .where({ user_id: userId, purpose: 'reset' })
          .whereNull('used_at')
          .update({ used_at: clock.now() });
        await audit.record(
          {
            actorUserId: userId,
            actingCustomerId: ctx.customerId,
            action: 'password.change',
            entityType: 'user',
            entityId: userId,
            after: { passwordChanged: true },
            ip: ctx.ip,
            requestId: ctx.requestId,
          },
          trx,
        );
      });
      return 'changed';
    },
  };
}
export type PasswordService = ReturnType<typeof createPasswordService>;
