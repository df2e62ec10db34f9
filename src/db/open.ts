/**
 * Opens the database the configuration names: a real PostgreSQL at DATABASE_URL, or the
 * embedded one under DATA_DIR (pool of one: it is a single session underneath).
 */
import type { Knex } from 'knex';
import type { Config } from '../config.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded.ts';
import { createKnex } from './knex.ts';

export interface OpenDatabase {
  knex: Knex;
  url: string;
  embedded: boolean;
  /** Largest pool any other client (e.g. the session store) may open. */
  poolMax: number;
  close(): Promise<void>;
}

export async function openDatabase(config: Config): Promise<OpenDatabase> {
  let embedded: EmbeddedPostgres | undefined;
  let url = config.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres(config.dataDir);
    url = embedded.url;
  }
  const poolMax = embedded ? 1 : config.databasePoolMax;
  const knex = createKnex(url, poolMax);
  return {
    knex,
    url,
    embedded: Boolean(embedded),
    poolMax,
    async close() {
      await knex.destroy();
      await embedded?.stop();
    },
  };
}
