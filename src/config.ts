/**
 * The only reader of process.env. Parsed with zod at boot and frozen; a bad value stops the
 * process with a message that names the variable.
 */
import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { isIsoDate } from './lib/clock.ts';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** The default label's public address, for links in e-mails: scheme, host, port, path only. */
  PUBLIC_URL: z
    .url()
    .refine((v) => {
      const u = new URL(v);
      return (
        (u.protocol === 'https:' || u.protocol === 'http:') &&
        !u.username &&
        !u.password &&
        !u.search &&
        !u.hash &&
        !v.includes('?') &&
        !v.includes('#')
      );
    }, 'must be an http(s) address without user name, password, query or fragment')
    .optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
  DATA_DIR: z.string().min(1).default('./data'),
  /** Uploaded documents (local-directory storage); default <DATA_DIR>/documents. */
  DOCUMENTS_DIR: z.string().min(1).optional(),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
    .optional(),
  MAIL_FROM: z.string().min(3).default('Customer Portal <no-reply@portal.example>'),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(30).default(30),
  SESSION_ABSOLUTE_HOURS: z.coerce.number().int().min(1).max(12).default(12),
  /** Proxies in front of the app: a hop count or a list of their addresses/CIDRs (see trustProxyFrom). */
  TRUST_PROXY: z.string().trim().default('false'),
  SYSTEM_DATE: z.string().refine(isIsoDate, 'must be a real date, YYYY-MM-DD').optional(),
  SEED_DEMO: bool.optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOGIN_MAX_FAILS_PER_ACCOUNT: z.coerce.number().int().min(1).default(5),
  LOGIN_MAX_FAILS_PER_IP: z.coerce.number().int().min(1).default(50),
  LOGIN_ACCOUNT_CEILING: z.coerce.number().int().min(1).default(100),
  /** 32 bytes, as 64 hex digits or base64: seals two-step (TOTP) secrets at rest. */
  TWO_STEP_ENCRYPTION_KEY: z.string().trim().optional(),
  /** Two-step sign-in for portal admins and superusers: required in production by default. */
  TWO_STEP_FOR_ADMINS: z.enum(['required', 'optional']).optional(),
  ACH_SETTLEMENT_DELAY_MINUTES: z.coerce.number().int().min(0).max(10_080).default(5),
});

export interface Config {
  readonly env: 'development' | 'production' | 'test';
  readonly isProduction: boolean;
  readonly host: string;
  readonly port: number;
  readonly publicUrl: string | undefined;
  readonly databaseUrl: string | undefined;
  readonly databasePoolMax: number;
  readonly dataDir: string;
  readonly mailDir: string;
  readonly documentsDir: string;
  readonly smtpUrl: string | undefined;
  readonly mailFrom: string;
  readonly sessionSecret: string;
  readonly sessionIdleMs: number;
  readonly sessionAbsoluteMs: number;
  /** Express's 'trust proxy': false, a hop count, or the proxies' addresses/CIDRs. */
  readonly trustProxy: false | number | string[];
  readonly systemDate: string | undefined;
  readonly seedDemo: boolean;
  readonly logLevel: string;
  readonly loginMaxFailsPerAccount: number;
  readonly loginMaxFailsPerIp: number;
  /** Failures for one account from any addresses in 24 h past which each address gets one free try. */
  readonly loginAccountCeiling: number;
  /** AES-256-GCM key for two-step secrets (32 bytes). */
  readonly twoStepEncryptionKey: Buffer;
  /** Sandbox gateway: how long an ACH payment stays in progress before the worker settles it. */
  readonly achSettlementDelayMinutes: number;
  /** Admins and superusers must set up two-step sign-in before anything else. */
  readonly twoStepRequiredForAdmins: boolean;
}

export class ConfigError extends Error {}

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** One TRUST_PROXY entry: an address, an address/prefix, or one of Express's names. */
function isProxyEntry(entry: string): boolean {
  if (PROXY_NAMES.has(entry)) return true;
  const [addr = '', prefix, extra] = entry.split('/');
  const family = isIP(addr);
  if (!family || extra !== undefined) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * TRUST_PROXY: `false`/`0` (default: the socket's address is the client's), a hop count (`1`
 * behind one proxy: the address the nearest proxy saw, whatever a client wrote further left in
 * X-Forwarded-For), or a comma-separated list of the proxies' addresses/CIDRs. `true` would
 * trust every hop, so a client could pick its own address: refused in production, read as one
 * hop elsewhere.
 */
function trustProxyFrom(value: string, isProduction: boolean): Config['trustProxy'] {
  const v = value.toLowerCase();
  if (v === '' || v === 'false' || v === 'no' || v === '0') return false;
  if (v === 'true' || v === 'yes') {
    if (isProduction)
      throw new ConfigError(
        'Invalid configuration:\n  TRUST_PROXY: `true` trusts every hop, so clients could choose their own ' +
          'address; set the number of proxies in front of the app (e.g. 1) or their addresses/CIDRs',
      );
    return 1;
  }
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    if (hops > 10) throw new ConfigError('Invalid configuration:\n  TRUST_PROXY: at most 10 hops');
    return hops;
  }
  const entries = v.split(',').map((x) => x.trim());
  const bad = entries.filter((x) => !isProxyEntry(x));
  if (bad.length)
    throw new ConfigError(
      `Invalid configuration:\n  TRUST_PROXY: must be false, a hop count or a comma-separated list of ` +
        `proxy addresses/CIDRs (not ${bad.map((x) => JSON.stringify(x)).join(', ')})`,
    );
  return entries;
}

/** TWO_STEP_ENCRYPTION_KEY: 32 bytes (64 hex digits or base64); a fixed key outside production. */
function twoStepKeyFrom(value: string | undefined, isProduction: boolean): Buffer {
  if (!value) {
    if (isProduction)
      throw new ConfigError(
        'Invalid configuration:\n  TWO_STEP_ENCRYPTION_KEY: required in production ' +
          '(32 random bytes as 64 hex digits, e.g. `openssl rand -hex 32`)',
      );
    return Buffer.from('development-only-two-step-key-00', 'utf8');
  }
  const key = /^[0-9a-f]{64}$/i.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
  if (key.length !== 32 || (!/^[0-9a-f]{64}$/i.test(value) && key.toString('base64') !== value))
    throw new ConfigError(
      'Invalid configuration:\n  TWO_STEP_ENCRYPTION_KEY: must be 32 bytes, as 64 hex digits or base64',
    );
  return key;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const isProduction = e.NODE_ENV === 'production';
  if (isProduction && !e.SESSION_SECRET) {
    throw new ConfigError('Invalid configuration:\n  SESSION_SECRET: required in production');
  }
  // Links in e-mails never come from a request's Host header: production names its address.
  if (isProduction && !e.PUBLIC_URL) {
    throw new ConfigError(
      'Invalid configuration:\n  PUBLIC_URL: required in production (the address in e-mail links)',
    );
  }
  const dataDir = path.resolve(e.DATA_DIR);
  return Object.freeze({
    env: e.NODE_ENV,
    isProduction,
    host: e.HOST,
    port: e.PORT,
    publicUrl: e.PUBLIC_URL,
    databaseUrl: e.DATABASE_URL,
    databasePoolMax: e.DATABASE_POOL_MAX,
    dataDir,
    mailDir: path.join(dataDir, 'mail'),
    documentsDir: e.DOCUMENTS_DIR ? path.resolve(e.DOCUMENTS_DIR) : path.join(dataDir, 'documents'),
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    sessionSecret: e.SESSION_SECRET ?? 'development-only-session-secret-not-for-production',
    sessionIdleMs: e.SESSION_IDLE_MINUTES * 60_000,
    sessionAbsoluteMs: e.SESSION_ABSOLUTE_HOURS * 3_600_000,
    trustProxy: trustProxyFrom(e.TRUST_PROXY, isProduction),
    systemDate: e.SYSTEM_DATE,
    seedDemo: e.SEED_DEMO ?? !e.DATABASE_URL,
    logLevel: e.LOG_LEVEL,
    loginMaxFailsPerAccount: e.LOGIN_MAX_FAILS_PER_ACCOUNT,
    loginMaxFailsPerIp: e.LOGIN_MAX_FAILS_PER_IP,
    loginAccountCeiling: e.LOGIN_ACCOUNT_CEILING,
    twoStepEncryptionKey: twoStepKeyFrom(e.TWO_STEP_ENCRYPTION_KEY, isProduction),
    achSettlementDelayMinutes: e.ACH_SETTLEMENT_DELAY_MINUTES,
    twoStepRequiredForAdmins:
      (e.TWO_STEP_FOR_ADMINS ?? (isProduction ? 'required' : 'optional')) === 'required',
  });
}

/** For entry points: the configuration, or a clear message and exit 1 (no stack trace). */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}
