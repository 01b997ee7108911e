export {
  deepMerge,
  parseConfigText,
  parseSetOverride,
  resolveConfig,
  setAtPath,
  validateConfig,
  type ConfigLayers,
  type ResolvedConfig,
} from './layering.ts';
