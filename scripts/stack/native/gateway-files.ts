import { fileURLToPath } from 'node:url';
import type { GatewayVars } from '../gateway-config';
import { renderTemplateDir } from './template-files';

/** gateway/ at the repository root: the templates shared by the native stack and docker-compose. */
export const GATEWAY_TEMPLATES = fileURLToPath(new URL('../../../gateway', import.meta.url));

/**
 * Renders every `*.template` under `from` into `to`, keeping the relative path and dropping `.template`, as the
 * nginx image's envsubst step does under docker-compose. Returns the rendered files' contents joined, so a caller
 * can tell whether the configuration changed.
 */
export const renderGatewayConfig = (to: string, vars: GatewayVars, from = GATEWAY_TEMPLATES): string =>
  renderTemplateDir(from, to, vars, 'GATEWAY_');
