import { between, HttpUser, task } from 'swarmgate-swarm';
import { pick, type SeedData } from '../lib/seed-data';

/** The rows the cascade mode's criteria judge. */
export const CASCADE_DOWNSTREAM_ROW = '/api/lab/downstream';
export const CASCADE_READ_ROW = '/api/users/:id [cascade]';

/**
 * The cascade lab's user (`./load_test.sh cascade`): an ordinary reader of the hot set that also calls the one
 * endpoint that depends on the downstream service (a quarter of its requests), and checks /health now and then.
 * When the downstream slows and nothing protects the call, the users pile up behind it and every endpoint's
 * throughput and latency suffer; with timeout, breaker and bulkhead the call fails fast and the reads go on. The
 * downstream row's 502/503/504 are failures (they are: the caller got no answer it could use).
 */
export class CascadeUser extends HttpUser {
  waitTime = between(0.1, 0.3);

  @task(1) async downstream() {
    await this.client.get('/api/lab/downstream', { name: CASCADE_DOWNSTREAM_ROW });
  }

  @task(3) async read() {
    const { hotIds } = this.environment.setupData as SeedData;
    await this.client.get(`/api/users/${pick(hotIds)}`, { name: CASCADE_READ_ROW });
  }

  @task(1) async health() {
    await this.client.get('/health');
  }
}
