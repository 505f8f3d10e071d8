import { randomUUID } from 'node:crypto';
import { between, HttpUser, type Response, task } from 'swarmgate-swarm';
import { type IngestRecorder, ingestRecorder } from '../lib/ingest-ledger';

/** What the ingest user needs from `setup()`: the run id its events carry and the folder of its ledgers. */
export interface IngestSetupData {
  runId: string;
  /** One ledger file per process (lib/ingest-ledger.ts); the teardown reads and removes it. */
  ingestDir: string;
}

/** Events per batched POST: the reference's clients sent log events one by one and in small bundles. */
export const INGEST_BATCH = 20;
/** Entry names: the report and the thresholds call them `POST /api/events` and `POST /api/events/batch`. */
export const INGEST_SINGLE = '/api/events';
export const INGEST_BATCH_NAME = '/api/events/batch';

/**
 * The async ingest path's client (the ingest mode): three single events to one batch of INGEST_BATCH, each event
 * tagged with the run id so the teardown can count the run's rows in Postgres. Every id answered 202 goes to the
 * run's ledger; a POST of unknown outcome (no answer, a 5xx) is counted as such. A 503 with Retry-After (the
 * backlog past INGEST_BACKLOG_LIMIT) is a refusal: expected under overload, nothing accepted, and the user waits
 * as long as it was told before its next POST. Per request: one small JSON body, one parse of the answer.
 */
export class IngestUser extends HttpUser {
  waitTime = between(0.2, 0.8);
  private recorder!: IngestRecorder;
  private runId = '';
  private seq = 0;

  override onStart(): void {
    const data = this.environment.setupData as IngestSetupData | undefined;
    if (!data?.ingestDir || !data.runId) {
      const why = 'IngestUser needs the setup() of scenarios/swarmgate.ts (setupData.ingestDir is missing)';
      this.environment.runner?.quit(why);
      throw new Error(why);
    }
    this.recorder = ingestRecorder(data.ingestDir);
    this.runId = data.runId;
  }

  /**
   * Each event carries an id of the client's (the API's idempotency key), written to the ledger as sent before its
   * POST: a row of the run whose POST never answered (cut short at the run's end, timed out) is then known as one
   * this run sent, and a row nobody sent cannot hide among them.
   */
  private event() {
    this.seq++;
    return {
      id: randomUUID(),
      type: this.seq % 3 === 0 ? 'page_view' : 'log',
      runId: this.runId,
      payload: { seq: this.seq, level: 'info', message: 'load test event' },
    };
  }

  @task(3) async single() {
    const event = this.event();
    this.recorder.sent([event.id]);
    const res = await this.client.post('/api/events', {
      name: INGEST_SINGLE,
      json: event,
      expect: [202, 503],
    });
    if (res.status === 202) this.recorder.accepted([res.json<{ id: string }>().id]);
    else await this.settle(res);
  }

  @task(1) async batch() {
    const events = Array.from({ length: INGEST_BATCH }, () => this.event());
    this.recorder.sent(events.map((e) => e.id));
    const res = await this.client.post('/api/events/batch', {
      name: INGEST_BATCH_NAME,
      json: { events },
      expect: [202, 503],
    });
    if (res.status === 202) this.recorder.accepted(res.json<{ ids: string[] }>().ids);
    else await this.settle(res);
  }

  /** A refusal (503 + Retry-After) waits as told; anything else non-202 may have been appended: unknown. */
  private async settle(res: Response) {
    if (res.status === 503 && res.headers['retry-after']) {
      const s = Math.min(5, Number(res.headers['retry-after']) || 1);
      await new Promise((r) => setTimeout(r, s * 1000));
      return;
    }
    if (res.status === 0 || res.status >= 500) this.recorder.unknown();
  }
}
