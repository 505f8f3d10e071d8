import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// No Docker engine runs where the tests do: each service's Dockerfile is held against the workspace instead, so an
// image cannot miss a workspace manifest `npm ci` reads, nor source its bundle imports from another workspace.
const ROOT = join(import.meta.dirname, '..', '..');
const workspaces = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).workspaces as string[]
).flatMap((pattern) =>
  pattern.endsWith('/*')
    ? readdirSync(join(ROOT, pattern.slice(0, -2)), { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => `${pattern.slice(0, -2)}/${d.name}`)
    : [pattern],
);
const services = readdirSync(join(ROOT, 'services')).filter((s) => {
  try {
    readFileSync(join(ROOT, 'services', s, 'Dockerfile'));
    return true;
  } catch {
    return false;
  }
});

/** The build stage: from the first FROM to the second. */
const buildStage = (dockerfile: string) => dockerfile.split(/^FROM /m)[1] ?? '';

/** Every relative import of the service's sources that leaves the service's own folder, as repo paths. */
function importsOutside(service: string): string[] {
  const base = join(ROOT, 'services', service);
  const found = new Set<string>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (/\.ts$/.test(e.name) && !/\.test\.ts$/.test(e.name)) {
        for (const m of readFileSync(path, 'utf8').matchAll(/from '(\.\.?\/[^']+)'/g)) {
          const target = relative(ROOT, resolve(dirname(path), m[1]!));
          if (!target.startsWith(`services/${service}/`)) found.add(target);
        }
      }
    }
  };
  walk(join(base, 'src'));
  return [...found];
}

describe.each(services)('services/%s/Dockerfile', (service) => {
  const dockerfile = readFileSync(join(ROOT, 'services', service, 'Dockerfile'), 'utf8');

  it("copies every workspace's manifest before each npm ci (npm ci reads the whole workspace)", () => {
    const stages = dockerfile.split(/^FROM /m).filter((stage) => /RUN npm ci/.test(stage));
    expect(stages.length).toBeGreaterThan(0);
    for (const stage of stages) {
      const beforeCi = stage.slice(0, stage.indexOf('RUN npm ci'));
      for (const ws of workspaces) expect(beforeCi, ws).toContain(`COPY ${ws}/package.json ${ws}/`);
    }
  });

  it('copies into the build stage the sources its bundle imports from other workspaces', () => {
    const build = buildStage(dockerfile);
    const copied = [...build.matchAll(/^COPY (\S+)\/ \S+/gm)].map((m) => `${m[1]}/`);
    for (const target of importsOutside(service)) {
      expect(
        copied.some((dir) => target.startsWith(dir)),
        `${target} is imported but not copied`,
      ).toBe(true);
    }
  });
});
