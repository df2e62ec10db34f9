/** `npm run migrate [-- --rollback-all]`: migrate the configured database. */
import { loadConfig } from '../config.ts';
import { migrateLatest, migrateRollbackAll } from './migrate.ts';
import { openDatabase } from './open.ts';

const db = await openDatabase(loadConfig());
try {
  if (process.argv.includes('--rollback-all')) {
    await migrateRollbackAll(db.knex);
    console.log('Rolled back every migration.');
  } else {
    const applied = await migrateLatest(db.knex);
    console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Already up to date.');
  }
} finally {
  await db.close();
}
