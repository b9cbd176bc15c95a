export { configSchema, type Config } from './schema.ts';
export {
  loadConfig,
  validateConfig,
  readEnvOverrides,
  type ConfigError,
  type LoadedConfig,
} from './load.ts';
