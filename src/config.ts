/**
 * The only reader of process.env. Parsed with zod at boot and frozen; a bad value stops the
 * process with a message that names the variable.
 */
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
  TRUST_PROXY: bool.default(false),
  SYSTEM_DATE: z.string().refine(isIsoDate, 'must be a real date, YYYY-MM-DD').optional(),
  SEED_DEMO: bool.optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOGIN_MAX_FAILS_PER_ACCOUNT: z.coerce.number().int().min(1).default(5),
  LOGIN_MAX_FAILS_PER_IP: z.coerce.number().int().min(1).default(50),
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
  readonly trustProxy: boolean;
  readonly systemDate: string | undefined;
  readonly seedDemo: boolean;
  readonly logLevel: string;
  readonly loginMaxFailsPerAccount: number;
  readonly loginMaxFailsPerIp: number;
  /** Sandbox gateway: how long an ACH payment stays in progress before the worker settles it. */
  readonly achSettlementDelayMinutes: number;
  /** Admins and superusers must set up two-step sign-in before anything else. */
  readonly twoStepRequiredForAdmins: boolean;
}

export class ConfigError extends Error {}

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
    trustProxy: e.TRUST_PROXY,
    systemDate: e.SYSTEM_DATE,
    seedDemo: e.SEED_DEMO ?? !e.DATABASE_URL,
    logLevel: e.LOG_LEVEL,
    loginMaxFailsPerAccount: e.LOGIN_MAX_FAILS_PER_ACCOUNT,
    loginMaxFailsPerIp: e.LOGIN_MAX_FAILS_PER_IP,
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
