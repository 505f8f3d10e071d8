import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gatewayVars, renderTemplate } from '../../scripts/stack/gateway-config';
import { GATEWAY_TEMPLATES, renderGatewayConfig } from '../../scripts/stack/native/gateway-files';
import { findBinary } from '../../scripts/stack/preflight';

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
    ['round_robin', 3],
    ['least_conn', 5],
  ] as const)('render a config nginx accepts (%s, %i replicas)', (balance, count) => {
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
    });
    const text = renderGatewayConfig(conf, vars);
    expect(/^\s*least_conn;/m.test(text)).toBe(balance === 'least_conn');
    expect(text.match(/server 127\.0\.0\.1:\d+ max_fails=2 fail_timeout=5s;/g)).toHaveLength(count);
    expect(text).toContain(`${count} replica_app${count};`);
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
  });
});
