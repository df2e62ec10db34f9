/**
 * Invitation and reset e-mails. The caller queues a reference (user, purpose, label) in its
 * transaction; the link is minted when the outbox sends the message, so a usable token never
 * rests in the database: only its hash (password_reset_tokens) and the e-mail itself hold it.
 * The link's origin is the label's configured address (Label.baseUrl), never a request's Host.
 */
import path from 'node:path';
import ejs from 'ejs';
import type { Knex } from 'knex';
import type { Label } from '../../http/types.ts';
import type { Clock } from '../../lib/clock.ts';
import { viewHelpers, viewsDir } from '../../http/views.ts';
import type { OutboxService, RenderedMessage } from '../outbox/outbox.service.ts';
import { issueToken, type TokenPurpose } from './password.tokens.ts';

export const PASSWORD_LINK = 'password-link';

export interface PasswordLinkRequest {
  purpose: TokenPurpose;
  user: { id: number; email: string };
  label: Label;
  customerName?: string;
  invitedBy?: string;
}

interface Payload {
  userId: number;
  purpose: TokenPurpose;
  labelId: number;
  customerName: string | null;
  invitedBy: string | null;
}

const subjectOf = (purpose: TokenPurpose, label: Pick<Label, 'name'>): string =>
  purpose === 'invite'
    ? `You are invited to the ${label.name} customer portal`
    : `Reset your ${label.name} portal password`;

/** Queues the e-mail (no token yet) in the caller's transaction. */
export async function enqueuePasswordEmail(
  outbox: OutboxService,
  trx: Knex,
  m: PasswordLinkRequest,
): Promise<void> {
  const payload: Payload = {
    userId: m.user.id,
    purpose: m.purpose,
    labelId: m.label.id,
    customerName: m.customerName ?? null,
    invitedBy: m.invitedBy ?? null,
  };
  await outbox.enqueueRendered(
    {
      kind: PASSWORD_LINK,
      payload: { ...payload },
      to: m.user.email,
      subject: subjectOf(m.purpose, m.label),
    },
    trx,
  );
}

export async function renderEmail(
  base: string,
  data: Record<string, unknown>,
): Promise<{ html: string; text: string }> {
  const locals = { ...viewHelpers, ...data };
  const [html, text] = await Promise.all([
    ejs.renderFile(path.join(viewsDir, 'emails', `${base}.ejs`), locals),
    ejs.renderFile(path.join(viewsDir, 'emails', `${base}-text.ejs`), locals, {
      escape: (v: unknown) => String(v),
    }),
  ]);
  return { html, text };
}

/**
 * The outbox's renderer for password links: mints the token now (retiring the user's earlier
 * unused link of that purpose) and renders the e-mail. Nothing is sent when the user can no
 * longer use such a link (deactivated; an invitation already accepted; a reset for someone
 * not active) or the label is gone.
 */
export function passwordLinkRenderer(d: { db: Knex; clock: Clock; labels: () => Promise<Label[]> }) {
  return async (raw: Record<string, unknown>): Promise<RenderedMessage | undefined> => {
    const p = raw as unknown as Payload;
    const label = (await d.labels()).find((l) => l.id === p.labelId);
    if (!label?.baseUrl) return undefined;
    const minted = await d.db.transaction(async (trx) => {
      const user = (await trx('users')
        .where({ id: p.userId })
        .forUpdate()
        .first('email', 'name', 'status')) as { email: string; name: string; status: string } | undefined;
      const wanted = p.purpose === 'invite' ? 'invited' : 'active';
      if (!user || user.status !== wanted) return undefined;
      return { user, ...(await issueToken(trx, p.userId, p.purpose, d.clock.now())) };
    });
    if (!minted) return undefined;
    const { html, text } = await renderEmail(p.purpose === 'invite' ? 'invite' : 'reset', {
      purpose: p.purpose,
      name: minted.user.name,
      link: `${label.baseUrl}/reset-password/${minted.token}`,
      expiresAt: minted.expiresAt,
      label,
      customerName: p.customerName ?? undefined,
      invitedBy: p.invitedBy ?? undefined,
    });
    return { to: minted.user.email, from: label.emailFrom, subject: subjectOf(p.purpose, label), html, text };
  };
}
