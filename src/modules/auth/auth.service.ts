/**
 * Sign-in rules: argon2id hashes, a generic failure message, inactive users refused, and
 * throttling per account and per address through Postgres-backed counters
 * (rate-limiter-flexible), so several web instances share them. A block lasts minutes, never
 * forever: there is no permanent lock-out an attacker could use against a real user.
 */
import { hash, verify, type Algorithm } from '@node-rs/argon2';
import type { Knex } from 'knex';
import { RateLimiterPostgres, type RateLimiterRes } from 'rate-limiter-flexible';
import type { Clock } from '../../lib/clock.ts';
import type { SessionUser } from '../../http/types.ts';
import type { SessionRead, UsersRepository } from './users.repository.ts';

// Algorithm is a const enum (not importable under verbatimModuleSyntax): 2 = Argon2id.
export const ARGON2_OPTIONS = { algorithm: 2 as Algorithm } as const;

export type SignInResult =
  | { ok: true; user: SessionUser }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'throttled'; retryAfterSeconds: number };

export interface AuthOptions {
  maxFailsPerAccount: number;
  maxFailsPerIp: number;
  accountWindowSeconds?: number;
  ipWindowSeconds?: number;
}

// A real argon2id hash of a random string: verifying against it when the e-mail is unknown
// costs the same time as a real check, so response time does not reveal which accounts exist.
let dummyHash: Promise<string> | undefined;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

export function createAuthService(deps: {
  db: Knex;
  users: UsersRepository;
  clock: Clock;
  options: AuthOptions;
}) {
  const { users, clock, options } = deps;
  const accountWindow = options.accountWindowSeconds ?? 15 * 60;
  const ipWindow = options.ipWindowSeconds ?? 60 * 60;
  const common = {
    storeClient: deps.db,
    storeType: 'knex',
    tableName: 'rate_limits',
    tableCreated: true,
    clearExpiredByTimeout: false,
  };
  const byAccount = new RateLimiterPostgres({
    ...common,
    keyPrefix: 'login_account',
    points: options.maxFailsPerAccount,
    duration: accountWindow,
  });
  const byIp = new RateLimiterPostgres({
    ...common,
    keyPrefix: 'login_ip',
    points: options.maxFailsPerIp,
    duration: ipWindow,
  });

  function blockedFor(res: RateLimiterRes | null, limit: number): number {
    if (!res || res.consumedPoints < limit) return 0;
    return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
  }

  return {
    async signIn(emailInput: string, password: string, ip: string): Promise<SignInResult> {
      const email = emailInput.trim().toLowerCase();
      const [acct, addr] = await Promise.all([byAccount.get(email), byIp.get(ip)]);
      const wait = Math.max(
        blockedFor(acct, options.maxFailsPerAccount),
        blockedFor(addr, options.maxFailsPerIp),
      );
      if (wait > 0) return { ok: false, reason: 'throttled', retryAfterSeconds: wait };

      const user = await users.findByEmail(email);
      dummyHash ??= hash(`dummy-${Math.random()}`, ARGON2_OPTIONS);
      const valid = await verify(user?.passwordHash ?? (await dummyHash), password).catch(() => false);
      if (!user || !valid || user.status !== 'active') {
        await Promise.all([
          byAccount.penalty(email).catch(() => undefined),
          byIp.penalty(ip).catch(() => undefined),
        ]);
        if (user) {
          const after = await byAccount.get(email);
          const locked =
            blockedFor(after, options.maxFailsPerAccount) > 0 && after
              ? new Date(clock.now().getTime() + after.msBeforeNext)
              : null;
          await users.recordFailure(user.id, locked);
        }
        return { ok: false, reason: 'invalid' };
      }
      await byAccount.delete(email);
      await users.recordLogin(user.id, clock.now());
      const { passwordHash: _h, status: _s, ...sessionUser } = user;
      return { ok: true, user: sessionUser };
    },

    /** Loads the user behind a session; undefined when gone, inactive or signed out elsewhere. */
    async userForSession(id: number, sessionVersion: number): Promise<SessionUser | undefined> {
      const found = await users.findForSession(id);
      return found && sessionUserFrom(found, sessionVersion);
    },

    /** The session row and its user in one statement (src/http/session.ts). */
    sessionWithUser(sid: string, nowMs: number) {
      return users.findSessionWithUser(sid, nowMs);
    },
  };
}
export type AuthService = ReturnType<typeof createAuthService>;

/** The signed-in user of a session read, if still active and the session is of its version. */
export function sessionUserFrom(found: SessionRead, sessionVersion: number): SessionUser | undefined {
  const { user, customer } = found;
  if (user.status !== 'active' || user.sessionVersion !== sessionVersion) return undefined;
  const { passwordHash: _h, status: _s, ...sessionUser } = user;
  return { ...sessionUser, ownCustomer: customer };
}
