import { between, HttpUser, task } from 'swarmgate-swarm';
import { pick, type SeedData } from '../lib/seed-data';

/** Many fast reads of the hot set, what the cache is for, and a health check now and then. */
export class HighVolumeUser extends HttpUser {
  waitTime = between(0.1, 0.5);

  @task(10) async readHotUser() {
    const { hotIds } = this.environment.setupData as SeedData;
    await this.client.get(`/api/users/${pick(hotIds)}`, { name: '/api/users/:id' });
  }

  @task(1) async health() {
    await this.client.get('/health');
  }
}
