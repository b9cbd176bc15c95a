/** Reading Prometheus text in tests: a node's (or the operator's) `/metrics`, and sums of samples. */

/** The Prometheus text a metrics listener serves at `<base>/metrics`. */
export async function scrape(base: string | null): Promise<string> {
  if (!base) throw new Error('this process serves no metrics');
  return (await fetch(`${base}/metrics`)).text();
}

/**
 * The sum of the samples whose line starts with `prefix` (a metric's name, or its name and the
 * head of its labels, e.g. `tandem_connections{`) and contains `label` (e.g. `result="hit"`).
 */
export function sumSamples(text: string, prefix: string, label = ''): number {
  return text
    .split('\n')
    .filter((line) => line.startsWith(prefix) && line.includes(label))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}
