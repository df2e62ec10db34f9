/**
 * Embedded PostgreSQL (PGlite) for the no-DATABASE_URL default. It is served on a loopback
 * socket so the ordinary `pg` driver (and so every Knex query) is the same as in production.
 * PGlite is one session underneath: callers must use a pool of one connection.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  const dir = path.join(dataDir, 'pglite');
  fs.mkdirSync(dir, { recursive: true });
  // pg_trgm: the asset search's trigram index (migrations/20261128000700_perf_lists.ts).
  const db = await PGlite.create({ dataDir: dir, extensions: { pg_trgm } });
  // Two connections: Knex's pool of one and the session store's pool of one.
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 4 });
  await server.start();
  const conn = server.getServerConn(); // "127.0.0.1:PORT"
  return {
    url: `postgresql://postgres@${conn}/postgres`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
