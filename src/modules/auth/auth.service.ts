/**
 * Sign-in rules: argon2id hashes, a generic failure message, inactive users refused, and
 * throttling as OWASP's Authentication Cheat Sheet asks (throttle.repository.ts):
 *
 * - per (account, address): `maxFailsPerAccount` failures, then delays of 1, 2, 4 … up to 15
 *   minutes between attempts. Failures from one address never stop the owner at another.
 * - per address, whatever the e-mail: `maxFailsPerIp` failures, then delays of 1, 2, 4 … up to
 *   60 minutes (password spraying, made-up e-mails).
 * - a generous per-account ceiling (`accountCeiling` failures in 24 hours, from any addresses):
 *   past it, each address gets one free attempt for that account instead of five. It never
 *   blocks an address that has not failed for the account, so it cannot lock the owner out.
 *
 * The attempt is taken atomically in PostgreSQL before the password is checked, so concurrent
 * requests cannot check more passwords than the limit; a success gives it back. Keys hold a
 * sha256 of the e-mail, not the address typed. There is no permanent lock-out.
 */
import { createHash } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { hash, verify, type Algorithm } from '@node-rs/argon2';
import type { Clock } from '../../lib/clock.ts';
import type { SessionUser } from '../../http/types.ts';
import type { ThrottleRepository, ThrottleRule } from './throttle.repository.ts';
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
  accountCeiling: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

// A real argon2id hash of a random string: verifying against it when the e-mail is unknown
// costs the same time as a real check, so response time does not reveal which accounts exist.
let dummyHash: Promise<string> | undefined;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/**
 * The address a throttle counts: IPv4 (also when written IPv4-mapped) as it is, IPv6 by its
 * /64, which one subscriber usually holds whole.
 */
export function throttleAddress(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!isIPv6(ip)) return ip;
  const [head = '', tail = ''] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

export function createAuthService(deps: {
  users: UsersRepository;
  throttle: ThrottleRepository;
  clock: Clock;
  options: AuthOptions;
}) {
  const { users, throttle, clock, options } = deps;
  const pairRule = (free: number): ThrottleRule => ({
    free,
    baseMs: MINUTE,
    maxMs: 15 * MINUTE,
    forgetMs: HOUR,
  });
  const ipRule: ThrottleRule = { free: options.maxFailsPerIp, baseMs: MINUTE, maxMs: HOUR, forgetMs: HOUR };
  let checks = 0;

  const throttled = (ms: number): SignInResult => ({
    ok: false,
    reason: 'throttled',
    retryAfterSeconds: Math.max(1, Math.ceil(ms / 1000)),
  });

  return {
    /** Passwords checked (argon2 verifications) by this process: for metrics and tests. */
    passwordChecks: () => checks,

    async signIn(emailInput: string, password: string, ip: string): Promise<SignInResult> {
      const email = emailInput.trim().toLowerCase();
      const address = throttleAddress(ip);
      const accountKey = `signin_acct:${sha256(email)}`;
      const pairKey = `signin_pair:${sha256(`${email}\n${address}`)}`;
      const ipKey = `signin_ip:${address}`;

      const now = clock.now().getTime();
      const pastCeiling = (await throttle.count(accountKey, now)) >= options.accountCeiling;
      const pair = pairRule(pastCeiling ? 1 : options.maxFailsPerAccount);
      const tookPair = await throttle.take(pairKey, pair, now);
      if (!tookPair.ok) return throttled(tookPair.retryAfterMs);
      const tookIp = await throttle.take(ipKey, ipRule, now);
      if (!tookIp.ok) {
        await throttle.refund(pairKey, pair, now);
        return throttled(tookIp.retryAfterMs);
      }

      const user = await users.findByEmail(email);
      dummyHash ??= hash(`dummy-${Math.random()}`, ARGON2_OPTIONS);
      checks++;
      const valid = await verify(user?.passwordHash ?? (await dummyHash), password).catch(() => false);
      if (!user || !valid || user.status !== 'active') {
        await throttle.bump(accountKey, 24 * HOUR, clock.now().getTime());
        if (user) await users.recordFailure(user.id);
        return { ok: false, reason: 'invalid' };
      }
      await throttle.clear(pairKey);
      await throttle.refund(ipKey, ipRule, clock.now().getTime());
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
