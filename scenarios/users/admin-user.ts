import { between, HttpUser, task } from 'swarmgate-swarm';
import { newEmail, type SeedData } from '../lib/seed-data';

const BATCH = 50;

/** Batch work at an operator's pace: bulk create, bulk lookup through the cache, the system overview. */
export class AdminUser extends HttpUser {
  // One admin whatever the user count: spawned first, outside the weighted share.
  static override fixedCount = 1;
  waitTime = between(2, 5);

  private get data(): SeedData {
    return this.environment.setupData as SeedData;
  }

  @task(2) async bulkCreate() {
    const users = Array.from({ length: BATCH }, () => ({
      email: newEmail(this.data, 'admin'),
      name: 'Bulk User',
    }));
    await this.client.post('/api/users/bulk', { json: { users }, expect: 201 });
  }

  @task(3) async bulkLookup() {
    const ids = [...this.data.hotIds].sort(() => Math.random() - 0.5).slice(0, BATCH);
    await this.client.post('/api/users/lookup', { json: { ids } });
  }

  @task(1) async overview() {
    await this.client.get('/api/system/overview');
  }
}
