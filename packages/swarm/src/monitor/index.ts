export { type EngineSample, judgeMonitor, startEngineMonitor } from './engine-monitor';
export { isSaturated, type SaturatedWindow, saturatedWindows } from './saturation';
