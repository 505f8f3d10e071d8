// The benchmark's user: one GET per task, no wait, against a static 200.
import { HttpUser, task } from 'swarmgate-swarm';

export class Hammer extends HttpUser {
  @task async hit() {
    await this.client.get('/');
  }
}
