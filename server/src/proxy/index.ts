export { setUpResourceProxy, type ProxySetup, type ProxySetupDeps } from './setup.ts';
export type { ResourceProxy, ProxyResponse } from './resource-proxy.ts';
export { createSigner, parseProxyPath, PROXY_PATH_PREFIX, type ResourceSigner } from './signing.ts';
export { PROXY_ERRORS, type ProxyErrorCode } from './errors.ts';
export { MemoryResourceCache, RedisResourceCache, type ResourceCache } from './cache.ts';
