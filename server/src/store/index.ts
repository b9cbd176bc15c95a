export type {
  AppendResult,
  AuditHead,
  ControlGrant,
  PageRecord,
  SessionRecord,
  SessionTransition,
  StoredCredential,
  Store,
  TransitionResult,
  UpdateOptions,
  UpdateResult,
} from './store.ts';
export { MemoryStore, type MemoryStoreOptions } from './memory-store.ts';
export type { CasLoopOptions } from './compare-and-set.ts';
