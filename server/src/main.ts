/** Entry point: load and validate the config, start one node, stop cleanly on SIGTERM/SIGINT. */
import { fileURLToPath } from 'node:url';
import { startTandem } from './app.ts';
import { loadConfig } from './config/index.ts';
import { installLastResort } from './observability/last-resort.ts';
import { createLogger } from './observability/logger.ts';

function configFileFromArgs(argv: readonly string[]): string | undefined {
  const index = argv.indexOf('--config');
  return index >= 0 ? argv[index + 1] : undefined;
}

async function main(): Promise<void> {
  const loaded = await loadConfig({ file: configFileFromArgs(process.argv) });
  if (!loaded.ok) {
    const log = createLogger('info', process.stderr);
    for (const error of loaded.errors)
      log.error({ path: error.path }, `invalid config: ${error.path}: ${error.message}`);
    log.fatal({ errors: loaded.errors.length }, 'refusing to start with an invalid config');
    process.exitCode = 2;
    return;
  }
  const log = createLogger(loaded.config.log.level);
  // The bundle sits in server/dist/ with the browser code in server/dist/web/.
  const webRoot = fileURLToPath(new URL('./web/', import.meta.url));
  const node = await startTandem(loaded.config, { webRoot, log });
  let stopping = false;
  const stop = (signal: string, code = 0): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const deadline = setTimeout(
      () => process.exit(code),
      loaded.config.server.shutdownGraceSeconds * 1000 + 1000,
    );
    deadline.unref();
    node.close().then(
      () => process.exit(code),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  installLastResort(process, {
    log,
    counter: node.metrics.uncaughtErrors,
    shutDown: (code, reason) => stop(reason, code),
  });
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  createLogger('info', process.stderr).fatal({ err: error }, 'failed to start');
  process.exit(1);
});
