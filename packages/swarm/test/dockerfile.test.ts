import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The Swarm image (packages/swarm/Dockerfile) cannot be built here (no Docker): these checks read it instead.
// Every COPY source must exist, the process must not run as root, and every file the scenarios import must be
// in the image, with every package they import installed.

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DOCKERFILE = readFileSync(join(ROOT, 'packages', 'swarm', 'Dockerfile'), 'utf8');

/** The instructions, continuation lines joined, comments left out. */
function instructions(text: string): Array<{ op: string; args: string }> {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const [op, ...rest] = l.split(/\s+/);
      return { op: op!.toUpperCase(), args: rest.join(' ') };
    });
}

const all = instructions(DOCKERFILE);
/** COPY instructions from the build context (not `--from` a stage): [sources, destination]. */
const contextCopies = all
  .filter((i) => i.op === 'COPY' && !i.args.startsWith('--from'))
  .map((i) => {
    const words = i.args.split(/\s+/).filter((w) => !w.startsWith('--'));
    return { sources: words.slice(0, -1), dest: words.at(-1)! };
  });
/** The instructions of the last stage (the image that runs). */
const runtime = all.slice(all.map((i) => i.op).lastIndexOf('FROM'));

/** Whether repository path `file` is in the image: under a source that the runtime stage copies. */
function copied(file: string): boolean {
  const copies = runtime.filter((i) => i.op === 'COPY' && !i.args.startsWith('--from'));
  return copies.some((c) => {
    const sources = c.args.split(/\s+/).slice(0, -1);
    return sources.some((s) => {
      const src = normalize(s).replace(/\/$/, '');
      return file === src || file.startsWith(`${src}/`);
    });
  });
}

/** Every repository file reached by relative imports from `entry`, and every package imported on the way. */
function importGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(join(ROOT, file), 'utf8');
    for (const m of text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g)) {
      const spec = m[1]!;
      if (!spec.startsWith('.')) {
        if (spec.startsWith('node:') || builtinModules.includes(spec)) continue;
        packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
        continue;
      }
      const base = normalize(join(dirname(file), spec));
      const found = [`${base}.ts`, base, join(base, 'index.ts')].find(
        (c) => existsSync(join(ROOT, c)) && statSync(join(ROOT, c)).isFile(),
      );
      if (found === undefined) throw new Error(`${file}: cannot resolve ${spec}`);
      visit(relative(ROOT, join(ROOT, found)));
    }
  };
  visit(entry);
  return { files, packages };
}

describe('packages/swarm/Dockerfile', () => {
  it('copies only what exists in the repository', () => {
    expect(contextCopies.length).toBeGreaterThan(5);
    for (const c of contextCopies) {
      for (const s of c.sources) expect(existsSync(join(ROOT, s)), `COPY ${s}`).toBe(true);
    }
  });

  it('runs as an unprivileged user, set after the last root step, with the swarm command as its entry point', () => {
    const users = runtime.filter((i) => i.op === 'USER').map((i) => i.args);
    expect(users.length).toBeGreaterThan(0);
    const last = users.at(-1)!;
    expect(['root', '0', '0:0']).not.toContain(last);
    const lastUser = runtime.map((i) => i.op).lastIndexOf('USER');
    expect(runtime.slice(lastUser).some((i) => i.op === 'RUN')).toBe(false);
    const entry = runtime.find((i) => i.op === 'ENTRYPOINT')!;
    const [, script] = JSON.parse(entry.args) as string[];
    expect(script).toBe('/repo/packages/swarm/bin/swarm.js');
    expect(existsSync(join(ROOT, 'packages/swarm/bin/swarm.js'))).toBe(true);
  });

  it('installs the workspaces it names, by their package names', () => {
    const ci = all.find((i) => i.op === 'RUN' && i.args.startsWith('npm ci'))!;
    const names = [...ci.args.matchAll(/--workspace=(\S+)/g)].map((m) => m[1]);
    const manifest = (dir: string) => JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8'));
    expect(names).toEqual([manifest('packages/swarm').name, manifest('scenarios').name]);
    // Every workspace's manifest is copied, so `npm ci` sees the lockfile's workspaces.
    const workspaces: string[] = manifest('.').workspaces;
    const manifests = contextCopies.flatMap((c) => c.sources).filter((s) => s.endsWith('/package.json'));
    for (const pattern of workspaces) {
      const dir = pattern.replace(/\/\*$/, '');
      const expected = pattern.endsWith('/*')
        ? readdirSync(join(ROOT, dir))
            .filter((d) => existsSync(join(ROOT, dir, d, 'package.json')))
            .map((d) => `${dir}/${d}/package.json`)
        : [`${dir}/package.json`];
      for (const m of expected) expect(manifests, m).toContain(m);
    }
  });

  it('holds every file the scenarios import, and installs every package they import', () => {
    const { files, packages } = importGraph('scenarios/swarmgate.ts');
    const missing = [...files].filter((f) => !copied(f));
    expect(missing).toEqual([]);
    const installed = new Set([
      'swarmgate-swarm',
      ...Object.keys(
        JSON.parse(readFileSync(join(ROOT, 'scenarios/package.json'), 'utf8')).dependencies ?? {},
      ),
      ...Object.keys(
        JSON.parse(readFileSync(join(ROOT, 'packages/swarm/package.json'), 'utf8')).dependencies,
      ),
    ]);
    expect([...packages].filter((p) => !installed.has(p))).toEqual([]);
    expect(copied('scenarios/profiles.json')).toBe(true);
  });
});
