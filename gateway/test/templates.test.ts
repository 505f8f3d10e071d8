import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gatewayVars, QUOTA_OFF, renderTemplate, retryAfterS } from '../../scripts/stack/gateway-config';
import { GATEWAY_TEMPLATES, renderGatewayConfig } from '../../scripts/stack/native/gateway-files';
import { findBinary } from '../../scripts/stack/preflight';
import { DEFAULT_INSPECT_ALLOW } from '../../scripts/stack/settings';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function templateTexts(dir = GATEWAY_TEMPLATES): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.template'))
    .map((e) => readFileSync(join(e.parentPath, e.name), 'utf8'));
}

const replicas = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ name: `app${i + 1}`, host: '127.0.0.1', port: 18001 + i }));

describe('the gateway templates', () => {
  it('use only GATEWAY_* placeholders, each of which the renderer fills', () => {
    // envsubst in the nginx image replaces any $NAME that is set in the environment; upper-case names other than
    // ours (HOSTNAME, PATH ...) would be silently rewritten there and left alone natively.
    const names = new Set(
      templateTexts().flatMap((t) => [...t.matchAll(/\$\{?([A-Z][A-Z0-9_]*)/g)].map((m) => m[1])),
    );
    const vars = gatewayVars({
      listen: '8080',
      runDir: '/run',
      accessLog: 'a',
      errorLog: 'e',
      balance: 'round_robin',
      replicas: replicas(1),
      readTimeoutS: 10,
      inspectAllow: DEFAULT_INSPECT_ALLOW,
      statusListen: '8081',
    });
    expect([...names].sort()).toEqual(Object.keys(vars).sort());
  });

  it('refuses to render a placeholder without a value, naming it', () => {
    // `$` + `{NAME}`: nginx template syntax, spelled so that no one mistakes it for a JS template literal.
    const placeholder = (name: string) => `$\{${name}}`;
    expect(() => renderTemplate(`listen ${placeholder('GATEWAY_NOPE')};`, {}, 'x.conf.template')).toThrow(
      `x.conf.template: no value for ${placeholder('GATEWAY_NOPE')}`,
    );
    expect(renderTemplate(`listen ${placeholder('GATEWAY_A')}; $host $GATEWAY_A`, { GATEWAY_A: '1' })).toBe(
      'listen 1; $host 1',
    );
  });

  it.each([
    ['round_robin', 3, DEFAULT_INSPECT_ALLOW, QUOTA_OFF],
    ['least_conn', 5, [], { rate: '600r/m', burst: 7, keyHeader: 'X-Client-Key' }],
  ] as const)(
    'render a config nginx accepts (%s, %i replicas, inspectors %j, quota %j)',
    (balance, count, inspectAllow, quota) => {
      const dir = mkdtempSync(join(tmpdir(), 'swarmgate-templates-'));
      dirs.push(dir);
      const conf = join(dir, 'conf');
      const vars = gatewayVars({
        listen: '127.0.0.1:18080',
        runDir: dir,
        accessLog: join(dir, 'access.log'),
        errorLog: join(dir, 'error.log'),
        balance,
        replicas: replicas(count),
        readTimeoutS: 7,
        inspectAllow: [...inspectAllow],
        statusListen: '127.0.0.1:18081',
        quota,
      });
      const text = renderGatewayConfig(conf, vars);
      // Quotas: the zone and the limit (in /api/ and @write) only when on, keyed by the header's variable.
      expect(text.includes('limit_req_zone $gateway_quota_key zone=gateway_quota:10m rate=600r/m;')).toBe(
        quota.rate !== null,
      );
      expect(text.match(/^\s*limit_req zone=gateway_quota burst=7 nodelay;$/gm) ?? []).toHaveLength(
        quota.rate === null ? 0 : 1,
      );
      expect(text.match(/include gateway\.d\/quota-limit\.conf;/g)).toHaveLength(2);
      expect(text).toContain(
        `map ${quota.rate === null ? '$http_x_api_key' : '$http_x_client_key'} $gateway_quota_key`,
      );
      expect(text).toContain('proxy_read_timeout 7s;');
      for (const network of inspectAllow) expect(text).toContain(`${network} 1;`);
      expect(/^\s*least_conn;/m.test(text)).toBe(balance === 'least_conn');
      expect(text.match(/server 127\.0\.0\.1:\d+ max_fails=2 fail_timeout=5s;/g)).toHaveLength(count);
      expect(text).toContain(`${count} replica_app${count};`);
      // nginx's counters on a server of their own, kept out of the access log.
      expect(text).toMatch(/listen 127\.0\.0\.1:18081;\s+server_name _;\s+[^}]*access_log off;/);
      const nginx = findBinary('nginx');
      expect(nginx, 'nginx is installed (make setup)').toBeDefined();
      const test = spawnSync(
        nginx!,
        ['-t', '-p', `${dir}/`, '-c', join(conf, 'nginx.conf'), '-e', join(dir, 'error.log')],
        {
          encoding: 'utf8',
        },
      );
      expect(test.stderr).toContain('test is successful');
      expect(test.status).toBe(0);
    },
  );

  it('route every error status nginx answers itself to a JSON body in the API shape', () => {
    // The integration tests provoke what a client can (400, 403, 405, 413, 414, 431, 501, 502, 504, 505); the
    // rest (408, 411, 500, 503) nginx raises only when something goes wrong inside it, so the table is held here.
    const text = templateTexts().join('\n');
    const routed = [
      ...text.matchAll(/^error_page ([0-9 =]+) (?:@gateway_error|\/\.gateway\/error);/gm),
    ].flatMap((m) => {
      const parts = m[1]!.trim().split(/\s+/);
      const answered = parts.find((p) => p.startsWith('='));
      const codes = parts.filter((p) => !p.startsWith('=')).map(Number);
      return answered ? codes.map(() => Number(answered.slice(1))) : codes;
    });
    expect([...new Set(routed)].sort()).toEqual(
      [400, 403, 404, 405, 408, 411, 413, 414, 429, 431, 500, 501, 502, 503, 504, 505].sort(),
    );
    const table = /map \$status \$gateway_error_body \{([^}]*(?:\}[^}]*)*?)\n\}/.exec(text)?.[1] ?? '';
    const bodies = new Map(
      [...table.matchAll(/^\s+(\d{3}|default)\s+'(.*)';$/gm)].map((m) => [m[1]!, JSON.parse(m[2]!)]),
    );
    for (const status of [...routed, 'default']) {
      const body = bodies.get(String(status));
      expect(body, `a body for ${status}`).toEqual({
        error: { code: expect.stringMatching(/^[A-Z_]+$/), message: expect.any(String) },
      });
    }
  });

  it('give a 429 a Retry-After of the time one request takes at the rate, at least 1 s', () => {
    expect([retryAfterS('50r/s'), retryAfterS('1r/s'), retryAfterS('600r/m'), retryAfterS('20r/m')]).toEqual([
      1, 1, 1, 3,
    ]);
    expect(() => retryAfterS('0r/s')).toThrow('not an nginx rate');
  });
});
