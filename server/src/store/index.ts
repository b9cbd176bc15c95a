export type { AppendResult, PageRecord, SessionRecord, Store } from './store.ts';
export { MemoryStore } from './memory-store.ts';
