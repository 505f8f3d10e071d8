import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { SettingsError } from '../stack/settings';
import { KustomizeError, kustomize, writeKustomization } from './kustomization';
import { loadK8sSettings } from './settings';

/**
 * `make k8s-render [OVERLAY=local|cluster] [REPLICAS=3 …]`: writes the kustomization for the current settings into
 * $STACK_DIR/k8s/<overlay>/ (apply it with `kubectl apply -k`) and the manifests it builds into
 * $STACK_DIR/k8s/<overlay>.yaml. No cluster needed. Exit 2 on a bad setting (named), 1 when kubectl fails.
 */
let settings: ReturnType<typeof loadK8sSettings>;
try {
  settings = loadK8sSettings();
} catch (err) {
  if (!(err instanceof SettingsError)) throw err;
  console.error(`k8s-render: ${err.message}`);
  process.exit(2);
}

const dir = join(settings.stack.dir, 'k8s', settings.overlay);
const file = `${dir}.yaml`;
try {
  writeKustomization(settings, dir);
  writeFileSync(file, kustomize(dir));
} catch (err) {
  if (!(err instanceof KustomizeError)) throw err;
  console.error(`k8s-render: ${err.message}`);
  process.exit(1);
}
// Relative to where make runs when inside it, else absolute.
const shown = (p: string) => (relative(process.cwd(), p).startsWith('..') ? p : relative(process.cwd(), p));
console.log(
  `k8s-render: OVERLAY=${settings.overlay} REPLICAS=${settings.stack.replicas} (up to ${settings.maxReplicas})\n` +
    `  kustomization: ${shown(dir)}   apply: kubectl apply -k ${shown(dir)}\n` +
    `  manifests:     ${shown(file)}`,
);
