export * from './version.ts';
export type * from './dom.ts';
export type * from './messages.ts';
export * from './errors.ts';
export * from './limits.ts';
export * from './restrictions.ts';
export * from './control-keys.ts';
export * from './reconnect.ts';
export * from './owned-attributes.ts';
