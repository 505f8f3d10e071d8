// Many mostly idle users: one GET, then 1–3 s of thinking, as real visitors do.
import { between, HttpUser, task } from 'swarmgate-swarm';

export class Visitor extends HttpUser {
  override waitTime = between(1, 3);

  @task async visit() {
    await this.client.get('/');
  }
}
