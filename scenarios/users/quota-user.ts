import { constantThroughput, HttpUser, task } from 'swarmgate-swarm';
import { pick, type SeedData } from '../lib/seed-data';

/**
 * The quota lab's clients (`./load_test.sh quota`). The gateway limits each client by its API key (QUOTA_KEY_HEADER,
 * X-API-Key); every user of a class sends the same key, so a class is one client to the gateway and its rows in
 * the report are that client's. The headers are built once, not per request.
 */
const EAGER_HEADERS = Object.freeze({ 'X-API-Key': 'overload-lab-eager' });
const POLITE_HEADERS = Object.freeze({ 'X-API-Key': 'overload-lab-polite' });

/** The rows the quota mode's criteria judge (`GET …` in the summary and the thresholds). */
export const QUOTA_EAGER_ROW = '/api/users/:id [eager]';
export const QUOTA_POLITE_ROW = '/api/users/:id [polite]';

/**
 * A client far above its quota that goes on at once after a 429: each user reads the hot set at 20 req/s, so a few
 * of them ask several times the limit. Its 429s are throttled, not failed.
 */
export class QuotaEagerUser extends HttpUser {
  waitTime = constantThroughput(20);

  @task async read() {
    const { hotIds } = this.environment.setupData as SeedData;
    await this.client.get(`/api/users/${pick(hotIds)}`, { name: QUOTA_EAGER_ROW, headers: EAGER_HEADERS });
  }
}

/**
 * A client a little above its quota that honours Retry-After (waits it out before its next request), as a
 * well-behaved client does: one user at 12 req/s against a 10 r/s limit eats into its burst slowly, so it sees a 429
 * only now and then, and the wait after each lets the bucket refill.
 */
export class QuotaPoliteUser extends HttpUser {
  static override honorRetryAfter = true;
  static override fixedCount = 1;
  waitTime = constantThroughput(12);

  @task async read() {
    const { hotIds } = this.environment.setupData as SeedData;
    await this.client.get(`/api/users/${pick(hotIds)}`, { name: QUOTA_POLITE_ROW, headers: POLITE_HEADERS });
  }
}
