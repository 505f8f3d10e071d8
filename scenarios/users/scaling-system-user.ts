import { between, HttpUser, task } from 'swarmgate-swarm';
import { newEmail, pick, type SeedData } from '../lib/seed-data';

interface Owned {
  id: number;
  etag: string;
}

/**
 * The whole API at a human pace: health checks through the gateway and of each replica, the user life cycle with
 * optimistic concurrency, keyset listing, and a check that the cache works.
 */
export class ScalingSystemUser extends HttpUser {
  waitTime = between(1, 3);
  private readonly mine: Owned[] = [];
  private replica = Math.floor(Math.random() * 3);

  private get data(): SeedData {
    return this.environment.setupData as SeedData;
  }

  /** Half of the reads go to users this user created, the rest to the shared hot set. */
  private someId(): number {
    return this.mine.length > 0 && Math.random() < 0.5 ? pick(this.mine).id : pick(this.data.hotIds);
  }

  @task(5) async gatewayHealth() {
    await this.client.get('/gateway-health');
  }

  @task(10) async replicaHealth() {
    this.replica = (this.replica % this.data.replicas) + 1;
    await this.client.get(`/app${this.replica}/health`, { name: '/appN/health' });
  }

  @task(15) async createUser() {
    const res = await this.client.post('/api/users', {
      json: { email: newEmail(this.data, 'scaling'), name: 'Scaling User' },
      expect: 201,
    });
    if (res.status === 201)
      this.mine.push({ id: res.json<{ id: number }>().id, etag: res.headers.etag ?? '*' });
  }

  @task(20) async getUser() {
    await this.client.get(`/api/users/${this.someId()}`, { name: '/api/users/:id' });
  }

  /**
   * A 412 means another writer won: read the current version and try again. A conflict, not a failure; the
   * refetch has a row of its own, so that row's request count is the number of conflicts in every report.
   */
  @task(8) async updateUser() {
    const owned = this.mine.length > 0 ? pick(this.mine) : undefined;
    if (!owned) return;
    for (let attempt = 0; attempt < 3; attempt++) {
      const res = await this.client.patch(`/api/users/${owned.id}`, {
        name: '/api/users/:id',
        json: { name: `renamed ${Math.floor(Math.random() * 1e6)}` },
        headers: { 'if-match': owned.etag },
        expect: [200, 412],
      });
      if (res.status !== 412) {
        if (res.status === 200) owned.etag = res.headers.etag ?? '*';
        return;
      }
      const current = await this.client.get(`/api/users/${owned.id}`, {
        name: '/api/users/:id [refetch after 412]',
      });
      owned.etag = current.headers.etag ?? '*';
    }
  }

  @task(12) async listUsers() {
    await this.client.get('/api/users', { query: { limit: 20 }, name: '/api/users?limit' });
  }

  /** Reads one user twice; the second read must be a cache HIT, whichever replica serves it. */
  @task(3) async cacheCheck() {
    const id = this.someId();
    await this.client.get(`/api/users/${id}`, { name: '/api/users/:id' });
    const second = await this.client.get(`/api/users/${id}`, { name: '/api/users/:id [cache check]' });
    if (second.ok && second.headers['x-cache'] !== 'HIT') {
      second.failure(`second read was X-Cache ${second.headers['x-cache'] ?? 'missing'}, not HIT`);
    }
  }

  @task(2) async deleteUser() {
    const owned = this.mine.pop();
    if (owned) await this.client.delete(`/api/users/${owned.id}`, { name: '/api/users/:id', expect: 204 });
  }
}
