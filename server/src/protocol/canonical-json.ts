/**
 * Canonical JSON: object keys sorted, no whitespace, `undefined` members left out. Two programs
 * that hold the same value write the same bytes, so a hash of it means the same everywhere (the
 * audit chain, the masking policy's hash in the snippet and on the server).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value);
    // A bare `undefined` (or a function) has no JSON: written as null, as JSON.stringify does in arrays.
    return text === undefined ? 'null' : text;
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const members = Object.keys(value)
    .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
    .sort()
    .map(
      (key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`,
    );
  return `{${members.join(',')}}`;
}
