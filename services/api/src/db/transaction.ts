import type { PoolClient } from 'pg';
import type { Pool } from './pool';

/**
 * Runs `work` in a transaction on one pooled connection: COMMIT when it returns a value, ROLLBACK when it returns
 * undefined or throws. `idleLimitMs` bounds how long the transaction may sit idle between statements (Postgres
 * ends the session past it, so an open transaction can never outlive a replica that froze in the middle of it).
 *
 * @example const row = await inTransaction(pool, 750, (client) => queries.update(client, values));
 */
export async function inTransaction<T>(
  pool: Pool,
  idleLimitMs: number,
  work: (client: PoolClient) => Promise<T | undefined>,
): Promise<T | undefined> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query(`BEGIN; SET LOCAL idle_in_transaction_session_timeout = ${Math.ceil(idleLimitMs)}`);
    const result = await work(client);
    await client.query(result === undefined ? 'ROLLBACK' : 'COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch((rollbackFailed: Error) => {
      broken = rollbackFailed;
    });
    throw err;
  } finally {
    // A connection whose rollback failed is in an unknown state: the pool closes it instead of reusing it.
    client.release(broken);
  }
}
