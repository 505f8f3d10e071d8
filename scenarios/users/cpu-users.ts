import { constantThroughput, HttpUser, task } from 'swarmgate-swarm';
import { pick, type SeedData } from '../lib/seed-data';

/**
 * The CPU lab's users (`./load_test.sh cpu`): most are CPU-heavy callers, each at a steady 15 requests a second of
 * 20 ms of event-loop work (together more CPU than this machine's two cores have); beside them a trickle of cheap
 * reads and a /health poller, each on rows of their own, so the report shows what the overload does to the cheap
 * work, and what shedding buys it.
 */
export class CpuHeavyUser extends HttpUser {
  waitTime = constantThroughput(15);

  @task async burn() {
    await this.client.get('/api/lab/cpu?ms=20', { name: '/api/lab/cpu' });
  }
}

/** Two users reading the hot set at 2 requests a second each: the cheap work that must keep its p95. */
export class CheapReadUser extends HttpUser {
  static override fixedCount = 2;
  waitTime = constantThroughput(2);

  @task async read() {
    const { hotIds } = this.environment.setupData as SeedData;
    await this.client.get(`/api/users/${pick(hotIds)}`, { name: '/api/users/:id [cheap]' });
  }
}

/** One user polling /health 4 times a second (never shed: a replica that sheds still says it is alive). */
export class HealthPollUser extends HttpUser {
  static override fixedCount = 1;
  waitTime = constantThroughput(4);

  @task async health() {
    await this.client.get('/health', { name: '/health [poll]' });
  }
}
