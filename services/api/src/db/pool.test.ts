import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createPool, databaseUnavailable, sessionSettings } from './pool';

const env = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none',
  PG_POOL_MAX: 2,
  PG_POOL_TIMEOUT_MS: 2000,
  PG_STATEMENT_TIMEOUT_MS: 5000,
  INSTANCE_ID: 'app1',
};

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('databaseUnavailable: PgBouncer refusals', () => {
  it('answers a full PgBouncer pool (query_wait_timeout) as the pool exhausted', () => {
    expect(databaseUnavailable(withCode('query_wait_timeout', '08P01'))).toMatchObject({
      status: 503,
      code: 'DB_POOL_EXHAUSTED',
    });
  });

  it('answers PgBouncer failing to reach Postgres as the database unavailable', () => {
    const err = withCode('server login has been failing, try again later (server_login_retry)', '08P01');
    expect(databaseUnavailable(err)).toMatchObject({ status: 503, code: 'DB_UNAVAILABLE' });
  });
});

describe('createPool and PG_TRANSACTION_POOLING', () => {
  it('sends the session settings at connect when off', () => {
    const pool = createPool({ ...env, PG_TRANSACTION_POOLING: 'off' });
    expect(pool.options).toMatchObject(sessionSettings(env));
    expect(sessionSettings(env)).toEqual({
      statement_timeout: 5000,
      lock_timeout: 5000,
      idle_in_transaction_session_timeout: 10_000,
    });
    void pool.end();
  });

  it('sends no session settings and strips statement names when on', async () => {
    const pool = createPool({ ...env, PG_TRANSACTION_POOLING: 'on' });
    expect(pool.options).not.toHaveProperty('statement_timeout');
    const Client = (pool.options as pg.PoolConfig & { Client: typeof pg.Client }).Client;
    // pg's own query() records what it is given; no connection is ever opened.
    const sent: unknown[] = [];
    const original = pg.Client.prototype.query;
    pg.Client.prototype.query = function record(config: unknown) {
      sent.push(config);
      return Promise.resolve({ rows: [] });
    } as typeof original;
    try {
      const client = new Client({ connectionString: env.DATABASE_URL });
      await client.query({ name: 'users_by_id', text: 'SELECT $1::int', values: [1] });
      await client.query('SELECT 1');
    } finally {
      pg.Client.prototype.query = original;
    }
    expect(sent).toEqual([{ text: 'SELECT $1::int', values: [1] }, 'SELECT 1']);
    await pool.end();
  });
});
