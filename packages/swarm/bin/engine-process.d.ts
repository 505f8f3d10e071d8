// Types of engine-process.js, for the tests that import it.
export const YOUNG_GENERATION_FLAG: string;
export function shouldRelaunch(argv?: readonly string[], env?: Record<string, string | undefined>): boolean;
export function relaunch(): void;
export function watchLauncher(): void;
