/**
 * The Tandem operator: reconciles `CoBrowseCluster` resources into running clusters.
 * Its reconcile arrives with the operator issue; this entry point only reports that.
 */
export const operatorName = 'tandem-operator';

if (process.argv[1]?.endsWith('main.ts') || process.argv[1]?.endsWith('main.js')) {
  process.stderr.write(`${operatorName}: the reconcile loop is not implemented yet\n`);
  process.exitCode = 1;
}
