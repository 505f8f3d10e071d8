import { HttpUser, task } from 'swarmgate-swarm';
import { pick, type SeedData } from '../lib/seed-data';

/**
 * The CPU lab's users (`./load_test.sh cpu`), run in the open model at a constant arrival rate, so the load does not
 * back off when the replicas slow down (a closed model's users would wait for their answers and offer less): by
 * weight, 50 of every 55 arrivals call 20 ms of event-loop work (at the profile's 220/s, 200 such calls a second:
 * four seconds of event-loop time a second, where three replicas have three at most, and the machine two cores for
 * everything), 3 read the hot set and 2 ask /health, each on rows of their own, so the report shows what the
 * overload does to the cheap work, and what shedding buys it.
 */
export class CpuHeavyUser extends HttpUser {
  static override weight = 50;

  @task async burn() {
    await this.client.get('/api/lab/cpu?ms=20', { name: '/api/lab/cpu' });
  }
}

/** The cheap work that must keep its p95: reads of the hot set (12/s at 220/s). */
export class CheapReadUser extends HttpUser {
  static override weight = 3;

  @task async read() {
    const { hotIds } = this.environment.setupData as SeedData;
    await this.client.get(`/api/users/${pick(hotIds)}`, { name: '/api/users/:id [cheap]' });
  }
}

/** /health (8/s at 220/s): never shed, a replica that sheds still says it is alive, and at once. */
export class HealthPollUser extends HttpUser {
  static override weight = 2;

  @task async health() {
    await this.client.get('/health', { name: '/health [poll]' });
  }
}
