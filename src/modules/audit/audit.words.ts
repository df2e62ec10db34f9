/**
 * The audit log as a portal admin reads it: one sentence per entry ("Olga Petrova accepted her
 * invitation", "Dana Admin changed Olga Petrova's permissions: + Make payments"), with the raw
 * record (action code, entity, before → after, address, request id) kept for a details toggle.
 */
import { permissionText } from '../../domain/permissions.ts';
import { humanize } from '../../lib/words.ts';

export interface ReadableEntry {
  action: string;
  entityType: string;
  entityId: string | null;
  before: unknown;
  after: unknown;
  actorUserId?: number | null;
  actorName: string | null;
  actorEmail: string | null;
  /** For an entry about a user: that user's name (or e-mail). */
  subjectName?: string | null;
  subjectIsActor?: boolean;
}

type Obj = Record<string, unknown>;
const asObj = (x: unknown): Obj | undefined => (x && typeof x === 'object' ? (x as Obj) : undefined);
const list = (x: unknown): string[] => (Array.isArray(x) ? x.map((v) => str(v)) : []);
const str = (x: unknown, fallback = ''): string =>
  typeof x === 'string' ? x : typeof x === 'number' ? String(x) : fallback;

/** What changed on a user: permissions added and removed, role, name, e-mail, status. */
function userChanges(before: unknown, after: unknown): string[] {
  const b = asObj(before) ?? {};
  const a = asObj(after) ?? {};
  const out: string[] = [];
  if (b.role !== a.role && a.role)
    out.push(`role ${humanize(str(b.role, 'none'))} → ${humanize(str(a.role))}`);
  const was = new Set(list(b.permissions));
  const now = new Set(list(a.permissions));
  const added = [...now].filter((p) => !was.has(p)).map((p) => `+ ${permissionText(p)}`);
  const removed = [...was].filter((p) => !now.has(p)).map((p) => `− ${permissionText(p)}`);
  if (added.length || removed.length) out.push(`permissions: ${[...added, ...removed].join(', ')}`);
  if (b.name !== a.name && a.name)
    out.push(`name “${String(b.name as string)}” → “${String(a.name as string)}”`);
  if (b.email !== a.email && a.email)
    out.push(`e-mail ${String(b.email as string)} → ${String(a.email as string)}`);
  return out;
}

const thing = (e: ReadableEntry): string => {
  const what = humanize(e.entityType).toLowerCase();
  return e.entityId ? `${what} ${e.entityId}` : what;
};

/** The sentence shown in the audit log. */
export function describeEntry(e: ReadableEntry): string {
  const actor = e.actorName ?? e.actorEmail ?? 'Someone';
  const subject = e.subjectIsActor ? 'their own' : e.subjectName ? `${e.subjectName}’s` : 'a user’s';
  const whom = e.subjectIsActor ? 'themselves' : (e.subjectName ?? 'a user');
  const after = asObj(e.after);
  switch (e.action) {
    case 'auth.sign_in':
      return `${actor} signed in`;
    case 'auth.sign_in_failed':
      return `A sign-in as ${actor} failed`;
    case 'auth.sign_in_throttled':
      return `Sign-in for ${actor} was slowed down after repeated failures`;
    case 'auth.two_step_passed':
      return `${actor} entered a correct two-step code`;
    case 'auth.two_step_failed':
      return `${actor} entered a wrong two-step code`;
    case 'two_step.enable':
      return `${actor} turned on two-step sign-in`;
    case 'two_step.disable':
      return `${actor} turned off two-step sign-in`;
    case 'account.update':
      return `${actor} updated their account details`;
    case 'account.notifications':
      return `${actor} changed their e-mail notifications`;
    case 'password.change':
      return `${actor} changed their password`;
    case 'password.change_failed':
      return `${actor} tried to change their password with a wrong current password`;
    case 'password.reset':
      return `${actor} set a new password from a reset link`;
    case 'password.reset_requested':
      return `A password reset link was requested for ${actor}`;
    case 'customer.switch':
      return `${actor} switched to this customer`;
    case 'user.create':
      return `${actor} invited ${whom}`;
    case 'user.invitation_accepted':
      return `${actor} accepted their invitation`;
    case 'user.invite_resent':
      return `${actor} re-sent ${subject} invitation`;
    case 'user.invite_existing_address':
      return `${actor} tried to invite an e-mail address that already has an account`;
    case 'user.deactivate':
      return `${actor} deactivated ${whom}`;
    case 'user.activate':
      return `${actor} reactivated ${whom}`;
    case 'user.update': {
      const changes = userChanges(e.before, e.after);
      return changes.length
        ? `${actor} changed ${subject} ${changes.join('; ')}`
        : `${actor} saved ${subject} details unchanged`;
    }
    case 'payment.submitted':
      return `${actor} submitted payment ${e.entityId ?? ''}`.trim();
    case 'payment.scheduled':
      return `${actor} scheduled payment ${e.entityId ?? ''}`.trim();
    case 'payment.cancelled':
      return `${actor} cancelled scheduled payment ${e.entityId ?? ''}`.trim();
    case 'payment.settled':
      return `Payment ${e.entityId ?? ''} settled`;
    case 'payment.failed':
      return `Payment ${e.entityId ?? ''} failed`;
    case 'payment_method.added':
      return `${actor} added a payment method`;
    case 'payment_method.removed':
      return `${actor} removed a payment method`;
    case 'payment_method.renamed':
      return `${actor} renamed a payment method`;
    case 'payment_method.default':
      return `${actor} chose a new default payment method`;
    case 'autopay.enrolled':
      return `${actor} turned on Autopay for ${thing(e)}`;
    case 'autopay.changed':
      return `${actor} changed Autopay for ${thing(e)}`;
    case 'autopay.cancelled':
      return `${actor} turned off Autopay for ${thing(e)}`;
    case 'payoff_quote.requested':
      return `${actor} requested payoff quote ${e.entityId ?? ''}`.trim();
    case 'payoff_quote.issued':
      return `${actor} saved payoff quote ${e.entityId ?? ''}`.trim();
    case 'payoff_quote.emailed':
      return `${actor} e-mailed payoff quote ${e.entityId ?? ''}`.trim();
    case 'service_request.created':
      return `${actor} raised service request ${e.entityId ?? ''}`.trim();
    case 'service_request.commented':
      return `${actor} commented on service request ${e.entityId ?? ''}`.trim();
    case 'service_request.status_changed':
      return `${actor} set service request ${e.entityId ?? ''} to ${humanize(str(after?.status, 'a new status')).toLowerCase()}`;
    case 'location_change.submit':
      return `${actor} asked to move assets (request ${e.entityId ?? ''})`;
    case 'location_change.status':
      return `Location change request ${e.entityId ?? ''} is now ${humanize(str(after?.status, 'changed')).toLowerCase()}`;
    case 'document.uploaded':
      return `${actor} uploaded ${after?.fileName ? `“${String(after.fileName as string)}”` : 'a document'}`;
    case 'report_schedule.created':
      return `${actor} scheduled a report`;
    case 'report_schedule.updated':
      return `${actor} changed a scheduled report`;
    case 'report_schedule.deleted':
      return `${actor} deleted a scheduled report`;
    case 'report_schedule.paused':
      return `${actor} paused a scheduled report`;
    case 'report_schedule.resumed':
      return `${actor} resumed a scheduled report`;
    case 'report_schedule.resent':
      return `${actor} re-sent a scheduled report`;
    default:
      return `${actor}: ${humanize(e.action).toLowerCase()} (${thing(e)})`;
  }
}

/** A readable name for an action code, for the filter's options. */
export function actionName(action: string): string {
  return humanize(action);
}
