import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What a supervisor tells the processes that use its control plane, in `<runDir>/state.json`.
 * Written atomically (temp file, then rename), so a reader never sees half a file.
 */
export type PlaneState =
  | { readonly status: 'starting'; readonly supervisorPid: number; readonly ownerPid: number }
  | {
      readonly status: 'ready';
      readonly supervisorPid: number;
      readonly ownerPid: number;
      /** Admin (system:masters) kubeconfig. */
      readonly kubeconfig: string;
      readonly server: string;
      readonly startedInMs: number;
    }
  | {
      readonly status: 'failed';
      readonly supervisorPid: number;
      readonly ownerPid: number;
      readonly error: string;
    };

export function stateFile(runDir: string): string {
  return join(runDir, 'state.json');
}

export function writeState(runDir: string, state: PlaneState): void {
  const file = stateFile(runDir);
  writeFileSync(`${file}.tmp`, JSON.stringify(state, null, 2));
  renameSync(`${file}.tmp`, file);
}

/** Reads the state, or `undefined` when there is none yet (or it is not ours). */
export function readState(runDir: string): PlaneState | undefined {
  let text: string;
  try {
    text = readFileSync(stateFile(runDir), 'utf8');
  } catch {
    return undefined;
  }
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null) return undefined;
  const { status, supervisorPid } = value as Record<string, unknown>;
  const known = status === 'starting' || status === 'ready' || status === 'failed';
  return known && typeof supervisorPid === 'number' ? (value as PlaneState) : undefined;
}

/** True while a process with this id exists (signal 0 checks without signalling). */
export function isAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
