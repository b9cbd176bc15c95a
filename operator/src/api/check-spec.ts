/**
 * What the CRD schema cannot check but a Deployment needs: quantities that parse, tolerations and
 * affinity of the right shape (they are free-form in the schema). Each issue names its field, so
 * that a resource the operator cannot build from gets a condition and an event, not a skip.
 */

export interface SpecIssue {
  /** The field, e.g. `spec.resources.requests.cpu`. */
  path: string;
  message: string;
}

type Obj = Record<string, unknown>;

/** Kubernetes' quantity syntax: a decimal number with an optional SI, binary or exponent suffix. */
const quantity = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/;
const tolerationKeys = new Set(['key', 'operator', 'value', 'effect', 'tolerationSeconds']);
const tolerationOperators = ['Exists', 'Equal'];
const tolerationEffects = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const affinityKeys = new Set(['nodeAffinity', 'podAffinity', 'podAntiAffinity']);

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkResources(value: unknown, path: string): SpecIssue[] {
  if (!isObj(value)) return [];
  return ['limits', 'requests'].flatMap((group) => {
    const entries = value[group];
    if (!isObj(entries)) return [];
    return Object.entries(entries).flatMap(([name, q]) =>
      (typeof q === 'number' && Number.isFinite(q)) || (typeof q === 'string' && quantity.test(q))
        ? []
        : [
            {
              path: `${path}.${group}.${name}`,
              message: `${JSON.stringify(q)} is not a Kubernetes quantity (e.g. 250m, 1, 512Mi)`,
            },
          ],
    );
  });
}

function checkToleration(value: unknown, path: string): SpecIssue[] {
  if (!isObj(value)) return [{ path, message: 'a toleration must be an object' }];
  const issues: SpecIssue[] = [];
  for (const key of Object.keys(value)) {
    if (!tolerationKeys.has(key)) issues.push({ path: `${path}.${key}`, message: 'unknown field' });
  }
  const oneOf = (key: string, allowed: string[]) => {
    const v = value[key];
    if (v !== undefined && !allowed.includes(v as string)) {
      issues.push({ path: `${path}.${key}`, message: `must be one of ${allowed.join(', ')}` });
    }
  };
  oneOf('operator', tolerationOperators);
  oneOf('effect', tolerationEffects);
  for (const key of ['key', 'value']) {
    if (value[key] !== undefined && typeof value[key] !== 'string') {
      issues.push({ path: `${path}.${key}`, message: 'must be a string' });
    }
  }
  const seconds = value['tolerationSeconds'];
  if (seconds !== undefined && !Number.isInteger(seconds)) {
    issues.push({ path: `${path}.tolerationSeconds`, message: 'must be an integer' });
  }
  return issues;
}

function checkAffinity(value: unknown, path: string): SpecIssue[] {
  if (value === undefined) return [];
  if (!isObj(value)) return [{ path, message: 'must be an object' }];
  return Object.entries(value).flatMap(([key, v]) =>
    !affinityKeys.has(key)
      ? [
          {
            path: `${path}.${key}`,
            message: 'unknown field (nodeAffinity, podAffinity or podAntiAffinity)',
          },
        ]
      : isObj(v)
        ? []
        : [{ path: `${path}.${key}`, message: 'must be an object' }],
  );
}

/** Every issue of a spec as read (`unknown`), each with its field path. */
export function checkSpec(value: unknown): SpecIssue[] {
  if (!isObj(value)) return [{ path: 'spec', message: 'must be an object' }];
  const issues: SpecIssue[] = [];
  if (typeof value['host'] !== 'string' || value['host'] === '') {
    issues.push({ path: 'spec.host', message: 'required' });
  }
  issues.push(...checkResources(value['resources'], 'spec.resources'));
  const redis = value['redis'];
  if (isObj(redis) && isObj(redis['managed'])) {
    issues.push(...checkResources(redis['managed']['resources'], 'spec.redis.managed.resources'));
  }
  const placement = value['placement'];
  if (isObj(placement)) {
    const tolerations = placement['tolerations'];
    if (Array.isArray(tolerations)) {
      tolerations.forEach((t, i) =>
        issues.push(...checkToleration(t, `spec.placement.tolerations[${i}]`)),
      );
    }
    issues.push(...checkAffinity(placement['affinity'], 'spec.placement.affinity'));
  }
  return issues;
}
