import { containers, imageName, type K8sObject } from './references';

/**
 * What a Dockerfile builds, read from its text: the runtime stage's WORKDIR (relative to the build's /repo), its
 * CMD, and the JavaScript files its esbuild step writes (`--outdir` plus each entry's base name), relative to that
 * WORKDIR, e.g. services/api/Dockerfile → dist/bin/index.js and dist/bin/migrate-cli.js.
 */
export function dockerfileOutputs(dockerfile: string): { workdir: string; cmd: string[]; files: string[] } {
  const text = dockerfile.replace(/\\\n/g, ' ');
  const workdirs = [...text.matchAll(/^WORKDIR\s+(\S+)/gm)].map((m) => m[1]!);
  const workdir = (workdirs.at(-1) ?? '/repo').replace(/^\/repo\/?/, '');
  const cmdLine = [...text.matchAll(/^CMD\s+(\[.*\])\s*$/gm)].at(-1)?.[1];
  const cmd = cmdLine ? (JSON.parse(cmdLine) as string[]) : [];
  const files = [...text.matchAll(/esbuild\s+([^\n]*)/g)].flatMap((m) => {
    const words = m[1]!.split(/\s+/);
    const outdir = words.find((w) => w.startsWith('--outdir='))?.slice('--outdir='.length) ?? '';
    return words
      .filter((w) => /\.ts$/.test(w) && !w.startsWith('-'))
      .map((entry) => `${outdir}/${entry.split('/').at(-1)!.replace(/\.ts$/, '.js')}`)
      .map((out) => (out.startsWith(`${workdir}/`) ? out.slice(workdir.length + 1) : out));
  });
  return { workdir, cmd, files };
}

/**
 * Images are what the repository builds or pinned: `swarmgate/<service>` must have services/<service>/Dockerfile
 * (`dockerfiles` maps the service to its text, absent when there is none), and every `dist/….js` a container's
 * command names must be a file that Dockerfile builds; any other image needs a tag other than `latest` (or a
 * digest).
 */
export function imageProblems(
  objects: K8sObject[],
  dockerfiles: Record<string, string | undefined>,
): string[] {
  return containers(objects).flatMap(({ owner, c }) => {
    const image = c.image ?? '';
    const name = imageName(image);
    if (name.startsWith('swarmgate/')) {
      const service = name.slice('swarmgate/'.length);
      const dockerfile = dockerfiles[service];
      if (dockerfile === undefined)
        return [`${owner}: image ${image}, but there is no services/${service}/Dockerfile`];
      const built = dockerfileOutputs(dockerfile).files;
      const named = [
        ...[...(c.command ?? []), ...(c.args ?? [])].join(' ').matchAll(/dist\/[\w./-]+\.js/g),
      ].map((m) => m[0]);
      return named
        .filter((file) => !built.includes(file))
        .map(
          (file) =>
            `${owner}: runs ${file}, which services/${service}/Dockerfile does not build (${built.join(', ')})`,
        );
    }
    const pinned =
      /@sha256:[0-9a-f]{64}$/.test(image) || (/:[^/:]+$/.test(image) && !image.endsWith(':latest'));
    return pinned ? [] : [`${owner}: image ${image} is not pinned to a tag`];
  });
}
