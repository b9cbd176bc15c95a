/**
 * Reads the configuration: schema defaults, then a YAML or JSON file (`TANDEM_CONFIG` or
 * `--config`), then `TANDEM__SECTION__KEY=value` environment variables. Validation reports every
 * error with its path; a caller refuses to start on any.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { configSchema, type Config } from './schema.ts';

export interface ConfigError {
  path: string;
  message: string;
}

export type LoadedConfig = { ok: true; config: Config } | { ok: false; errors: ConfigError[] };

const ENV_PREFIX = 'TANDEM__';

/** Validates a plain object against the schema, freezing the result. */
export function validateConfig(input: unknown): LoadedConfig {
  const parsed = configSchema.safeParse(input ?? {});
  if (parsed.success) return { ok: true, config: deepFreeze(parsed.data) };
  const errors: ConfigError[] = [];
  for (const issue of parsed.error.issues) {
    const base = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        errors.push({ path: base ? `${base}.${key}` : key, message: 'unknown option' });
      }
    } else {
      errors.push({ path: base || '(root)', message: issue.message });
    }
  }
  return { ok: false, errors };
}

/**
 * Turns `TANDEM__HTTP_PROXY__ALLOWED_EXTERNAL_DOMAINS=a.com,b.com` into
 * `{ 'http-proxy': { allowedExternalDomains: ['a.com', 'b.com'] } }`. Keys match the schema's
 * names ignoring case, `-` and `_`; values are JSON when they parse as JSON, else strings, and a
 * comma list where the schema expects an array.
 */
export function readEnvOverrides(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || raw === undefined) continue;
    const segments = name.slice(ENV_PREFIX.length).split('__');
    let shape: unknown = configSchema.shape;
    let target = result;
    const path: string[] = [];
    for (const [i, segment] of segments.entries()) {
      const key = matchKey(shape, segment);
      path.push(key);
      if (i === segments.length - 1) {
        target[key] = coerce(raw, unwrap(fieldSchema(shape, key))?.type);
      } else {
        const next = target[key];
        target[key] = typeof next === 'object' && next !== null ? next : {};
        target = target[key] as Record<string, unknown>;
        shape = objectShape(fieldSchema(shape, key));
      }
    }
  }
  return result;
}

function normalize(key: string): string {
  return key.replace(/[-_]/g, '').toLowerCase();
}

function matchKey(shape: unknown, segment: string): string {
  if (typeof shape === 'object' && shape !== null) {
    const found = Object.keys(shape).find((key) => normalize(key) === normalize(segment));
    if (found) return found;
  }
  // An unknown key is kept as written so that validation reports it by name.
  return segment.toLowerCase();
}

function fieldSchema(shape: unknown, key: string): unknown {
  return typeof shape === 'object' && shape !== null
    ? (shape as Record<string, unknown>)[key]
    : undefined;
}

/** Unwraps defaults, optionals and refinements to reach an object's shape or an array. */
/** Unwraps defaults, optionals and refinements to the schema's own kind (object, array, string...). */
function unwrap(schema: unknown): { type?: string; shape?: unknown } | undefined {
  let current = schema as
    { def?: { type?: string; innerType?: unknown; shape?: unknown; in?: unknown } } | undefined;
  for (let i = 0; i < 10 && current?.def; i++) {
    const def = current.def;
    const inner = def.innerType ?? def.in;
    if (inner === undefined) return { type: def.type, shape: def.shape };
    current = inner as typeof current;
  }
  return undefined;
}

function objectShape(schema: unknown): unknown {
  return unwrap(schema)?.shape;
}

/**
 * A string option keeps its value as written (a secret of digits stays a string); anything else
 * is read as JSON when it parses, and an array also as a comma list.
 */
function coerce(raw: string, kind: string | undefined): unknown {
  if (kind === 'string') return raw;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    if (kind === 'array')
      return raw
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean);
    return raw;
  }
}

function deepMerge(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prev = out[key];
    out[key] = isPlainObject(prev) && isPlainObject(value) ? deepMerge(prev, value) : value;
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** Parses file text as YAML (JSON is YAML too). */
export function parseConfigText(
  text: string,
  source: string,
): { ok: true; value: unknown } | { ok: false; errors: ConfigError[] } {
  try {
    return { ok: true, value: parseYaml(text) ?? {} };
  } catch (error) {
    return { ok: false, errors: [{ path: source, message: (error as Error).message }] };
  }
}

/** Loads defaults + file + environment and validates the whole. */
export async function loadConfig(
  options: { file?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<LoadedConfig> {
  const env = options.env ?? process.env;
  const file = options.file ?? env.TANDEM_CONFIG;
  let fromFile: unknown = {};
  if (file) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      return { ok: false, errors: [{ path: file, message: (error as Error).message }] };
    }
    const parsed = parseConfigText(text, file);
    if (!parsed.ok) return parsed;
    fromFile = parsed.value;
  }
  if (!isPlainObject(fromFile)) {
    return {
      ok: false,
      errors: [{ path: '(root)', message: 'the config file must hold an object' }],
    };
  }
  return validateConfig(deepMerge(fromFile, readEnvOverrides(env)));
}
