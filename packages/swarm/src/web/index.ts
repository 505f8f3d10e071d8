export { type FieldErrors, parseChangeForm, parseStartForm, type StartInput } from './form';
export { LiveRun, type RunHooks, type RunState, type StartRun } from './live-run';
export { type LiveFrame, liveFragment, renderPage } from './web-page';
export { startWebServer, type WebServer, type WebServerOptions } from './web-server';
