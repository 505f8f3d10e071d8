import { between, HttpUser, task } from 'swarmgate-swarm';

/**
 * The memory lab's user (`./load_test.sh memory`): each asks a replica to allocate and hold 10–30 MB for 2 s, about
 * once a second; the mode ramps them to 20, more than replicas with a small heap (--max-old-space-size) can hold at
 * once. Without the guard a replica runs out of heap and dies (the supervisor restarts it); with it the allocation
 * is refused with 503 MEMORY_GUARD.
 */
export class MemoryUser extends HttpUser {
  waitTime = between(0.5, 1);

  @task async allocate() {
    const mb = 10 + Math.floor(Math.random() * 21);
    await this.client.get(`/api/lab/memory?mb=${mb}&holdMs=2000`, { name: '/api/lab/memory' });
  }
}
