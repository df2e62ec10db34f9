/**
 * Links and senders in e-mails come from configuration, never from a request:
 * - private_labels.public_url: the label's own public address (scheme, host, optional port and
 *   path; no user-info, query or fragment). Unset: PUBLIC_URL for the default label, otherwise
 *   the label's first host (src/modules/labels/labels.links.ts).
 * - email_outbox.from_address: the label's sender (email_from), per message.
 * - email_outbox.kind/payload: a message rendered when it is sent (a password link is minted
 *   then, so no usable token ever rests in the outbox); sensitive: the body is blanked once sent.
 * - an index for pruning sent messages (src/jobs.ts, prune-sent-email).
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table private_labels add column public_url text
      -- ({0,1}: knex.raw would take a question mark for a binding)
      check (public_url ~ '^https{0,1}://[A-Za-z0-9.-]+(:[0-9]{1,5}){0,1}(/[A-Za-z0-9._~/-]*){0,1}$');

    alter table email_outbox
      add column from_address text,
      add column kind text check (kind is null or kind ~ '^[a-z][a-z0-9-]*$'),
      add column payload jsonb,
      add column sensitive boolean not null default false,
      add check ((kind is null) = (payload is null));
    create index email_outbox_sent on email_outbox (sent_at) where status = 'sent';
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop index if exists email_outbox_sent;
    alter table email_outbox
      drop column if exists sensitive,
      drop column if exists payload,
      drop column if exists kind,
      drop column if exists from_address;
    alter table private_labels drop column if exists public_url;
  `);
}
