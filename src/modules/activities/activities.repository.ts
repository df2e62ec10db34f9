import type { Knex } from 'knex';
import type { Clock } from '../../lib/clock.ts';

export interface ActivityInput {
  customerId: number;
  labelId: number | null;
  actorUserId: number | null;
  kind: string;
  subject: string;
  link?: string | null;
}

export interface Activity {
  id: number;
  kind: string;
  subject: string;
  link: string | null;
  at: Date;
  actorName: string | null;
}

/**
 * The Recent Activities feed. Reads are scoped to one customer and label. An activity's time is
 * the clock's `now()` (src/lib/clock.ts), not the database's: it must fall on the business date.
 */
export function createActivitiesRepository(db: Knex, clock: Pick<Clock, 'now'>) {
  return {
    async add(a: ActivityInput, trx: Knex = db): Promise<void> {
      await trx('activities').insert({
        customer_id: a.customerId,
        private_label_id: a.labelId,
        actor_user_id: a.actorUserId,
        kind: a.kind,
        subject: a.subject,
        link: a.link ?? null,
        at: clock.now(),
      });
    },
    async recent(customerId: number, labelId: number, limit: number): Promise<Activity[]> {
      return db('activities as a')
        .leftJoin('users as u', 'u.id', 'a.actor_user_id')
        .where('a.customer_id', customerId)
        .andWhere((q) => q.whereNull('a.private_label_id').orWhere('a.private_label_id', labelId))
        .orderBy('a.at', 'desc')
        .orderBy('a.id', 'desc')
        .limit(limit)
        .select('a.id', 'a.kind', 'a.subject', 'a.link', 'a.at', 'u.name as actorName');
    },
  };
}
export type ActivitiesRepository = ReturnType<typeof createActivitiesRepository>;
