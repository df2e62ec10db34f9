/**
 * The database connection dying in the middle of a request's transaction (an administrator's
 * pg_terminate_backend, a failover) answers the plain 503 page, not a 500; the app goes on with
 * fresh connections. Real database, no mocks: the request's UPDATE is held on a row lock taken
 * from another connection, and its backend is terminated while it waits.
 */
import express from 'express';
import type pg from 'pg';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorHandler, isDatabaseDown } from '../../src/http/error-handler.ts';
import { setUpViews } from '../../src/http/views.ts';
import { createCustomer, createUser, FACTORY_PASSWORD } from '../factories/index.ts';
import { csrfFrom, signIn, startApp, type TestApp } from '../helpers/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startApp();
});
afterAll(async () => {
  await t.close();
});

async function until<T>(what: string, f: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await f();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('the database lost inside a transaction', () => {
  it('answers the 503 page (not 500) when the backend is terminated mid-transaction, then recovers', async () => {
    const db = t.deps.db;
    const customer = await createCustomer(db, { name: 'Terminated Backend Co' });
    const user = await createUser(db, { customer_id: customer.id, name: 'Before Name' });
    const { agent } = await signIn(t.app, user.email, FACTORY_PASSWORD);
    const token = csrfFrom((await agent.get('/account')).text);

    const holder = await db.transaction();
    try {
      await holder('users').where({ id: user.id }).forUpdate().first('id');
      const pending = agent.post('/account/name').type('form').send({ name: 'After Name', _csrf: token });
      // Not awaited yet: supertest sends the request when it is awaited or .then()ed.
      const response = pending.then((r) => r);
      const pid = await until('the request to wait on the row lock', async () => {
        const rows = (await db
          .select('pid')
          .from('pg_stat_activity')
          .where({ datname: db.raw('current_database()'), wait_event_type: 'Lock' })
          .andWhere('query', 'ilike', 'update "users"%')) as { pid: number }[];
        return rows[0]?.pid;
      });
      await db.raw('select pg_terminate_backend(?)', [pid]);
      const res = await response;
      expect(res.status).toBe(503);
      expect(res.text).toContain('the service is unavailable');
      expect(res.headers['retry-after']).toBeDefined();
      expect(res.text).not.toMatch(/terminating connection|57P01|\n\s+at .+\(.+:\d+:\d+\)/);
    } finally {
      await holder.rollback();
    }
    // Nothing was written, and the next requests work on fresh connections.
    expect(((await db('users').where({ id: user.id }).first('name')) as { name: string }).name).toBe(
      'Before Name',
    );
    for (let i = 0; i < 6; i++) expect((await agent.get('/account')).status).toBe(200);
    const again = await agent
      .post('/account/name')
      .type('form')
      .send({ name: 'After Name', _csrf: csrfFrom((await agent.get('/account')).text) });
    expect(again.status).toBe(303);
  });

  it('answers 503 when the connection dies between two statements of a transaction ("not queryable")', async () => {
    // The real error handler and views behind a route that runs a real transaction whose
    // backend is terminated while the transaction is idle (between its statements).
    const db = t.deps.db;
    const app = express();
    setUpViews(app, false);
    app.get('/work', async (_req, res) => {
      await db.transaction(async (trx) => {
        const { rows } = (await trx.raw('select pg_backend_pid() as pid')) as { rows: { pid: number }[] };
        await db.raw('select pg_terminate_backend(?)', [rows[0]!.pid]);
        await new Promise((r) => setTimeout(r, 100));
        await trx.raw('select 1');
      });
      res.send('done');
    });
    app.use(errorHandler(t.deps.logger));
    const res = await request(app).get('/work');
    expect(res.status).toBe(503);
    expect(res.text).toContain('the service is unavailable');
    expect(res.text).not.toMatch(/not queryable|\n\s+at .+\(.+:\d+:\d+\)/);
    expect((await db.raw('select 1 as one')).rows).toEqual([{ one: 1 }]);
  });

  it('counts the server ending an idle transaction (idle_in_transaction_session_timeout) as the database gone', async () => {
    const client = t.deps.db.client as {
      acquireConnection(): Promise<pg.Client>;
      releaseConnection(c: pg.Client): Promise<void>;
    };
    const conn = await client.acquireConnection();
    let caught: unknown;
    try {
      await conn.query("set idle_in_transaction_session_timeout = '30ms'");
      await conn.query('begin');
      await new Promise((r) => setTimeout(r, 300));
      await conn.query('select 1');
    } catch (err) {
      caught = err;
    } finally {
      await client.releaseConnection(conn);
    }
    expect(caught).toBeInstanceOf(Error);
    expect(isDatabaseDown(caught)).toBe(true);
  });
});
