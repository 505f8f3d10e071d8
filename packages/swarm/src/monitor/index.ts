export { judgeMonitor, startEngineMonitor } from './engine-monitor';
