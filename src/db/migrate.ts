/**
 * Migrations live in /migrations as TypeScript modules exporting up/down. They are imported
 * here rather than by Knex's file loader so the same code runs under tsx, vitest and the CLI.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Knex } from 'knex';

const migrationsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');

interface MigrationModule {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

const source: Knex.MigrationSource<string> = {
  getMigrations() {
    return Promise.resolve(
      fs
        .readdirSync(migrationsDir)
        .filter((f) => /^\d{14}_[a-z0-9_]+\.ts$/.test(f))
        .sort(),
    );
  },
  getMigrationName(file) {
    return file;
  },
  async getMigration(file) {
    const mod = (await import(pathToFileURL(path.join(migrationsDir, file)).href)) as MigrationModule;
    return { up: (k: Knex) => mod.up(k), down: (k: Knex) => mod.down(k) };
  },
};

export async function migrateLatest(knex: Knex): Promise<string[]> {
  const [, applied] = (await knex.migrate.latest({ migrationSource: source })) as [number, string[]];
  return applied;
}

export async function migrateRollbackAll(knex: Knex): Promise<void> {
  await knex.migrate.rollback({ migrationSource: source }, true);
}
