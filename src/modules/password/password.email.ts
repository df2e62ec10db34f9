/** Invitation and reset e-mails (HTML + text), queued in the caller's transaction. */
import path from 'node:path';
import ejs from 'ejs';
import type { Knex } from 'knex';
import type { Label } from '../../http/types.ts';
import { viewHelpers, viewsDir } from '../../http/views.ts';
import type { OutboxService } from '../outbox/outbox.service.ts';
import type { TokenPurpose } from './password.tokens.ts';

export interface PasswordEmail {
  purpose: TokenPurpose;
  to: string;
  name: string;
  link: string;
  expiresAt: Date;
  label: Label;
  customerName?: string;
  invitedBy?: string;
}

export async function enqueuePasswordEmail(
  outbox: OutboxService,
  trx: Knex,
  m: PasswordEmail,
): Promise<void> {
  const base = m.purpose === 'invite' ? 'invite' : 'reset';
  const data = { ...viewHelpers, ...m };
  const [html, text] = await Promise.all([
    ejs.renderFile(path.join(viewsDir, 'emails', `${base}.ejs`), data),
    ejs.renderFile(path.join(viewsDir, 'emails', `${base}-text.ejs`), data, {
      escape: (v: unknown) => String(v),
    }),
  ]);
  await outbox.enqueue(
    {
      to: m.to,
      subject:
        m.purpose === 'invite'
          ? `You are invited to the ${m.label.name} customer portal`
          : `Reset your ${m.label.name} portal password`,
      text,
      html,
    },
    trx,
  );
}

/**
 * Where links in e-mails point: PUBLIC_URL when configured; otherwise this request's origin, but
 * only when its host is one of the label's own hosts (a forged Host header never reaches a link).
 */
export function linkBase(
  publicUrl: string | undefined,
  req: { protocol: string; hostname: string; get(name: string): string | undefined },
  label: Label,
): string {
  if (publicUrl) return publicUrl.replace(/\/$/, '');
  const host = req.get('host') ?? '';
  if (label.hosts.includes(req.hostname) || req.hostname === 'localhost' || req.hostname === '127.0.0.1')
    return `${req.protocol}://${host}`;
  return `${req.protocol}://${label.hosts[0] ?? 'localhost'}`;
}
