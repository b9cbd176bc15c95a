export { startControlPlane, useControlPlane, type ControlPlane } from './control-plane.ts';
export {
  apiStatusOf,
  applyObjects,
  applyCrds,
  describeError,
  loadKubeConfig,
  loadYamlObjects,
  testbedFieldManager,
  waitFor,
} from './kube.ts';
export { resolveTestbedPaths, repoRoot, type TestbedPaths } from './paths.ts';
export {
  startOperatorProcess,
  type OperatorProcess,
  type OperatorProcessOptions,
} from './operator-process.ts';
export { cobrowseClient, loadSample, type ClusterObject } from './cobrowse.ts';
