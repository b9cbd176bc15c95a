/**
 * Preloaded (`--import`) into every server process the bench starts, Tandem's and the baselines'
 * alike, so that all are measured the same way: over the IPC channel the parent asks for the
 * process's CPU time and, after a full garbage collection (`--expose-gc`), its heap and RSS.
 */
interface ProbeRequest {
  probe: 'stats';
  /** Collect garbage first (for heap per socket); skipped for CPU readings mid-run. */
  gc: boolean;
}

function isProbeRequest(value: unknown): value is ProbeRequest {
  return typeof value === 'object' && value !== null && (value as ProbeRequest).probe === 'stats';
}

if (process.send) {
  process.on('message', (message: unknown) => {
    if (!isProbeRequest(message)) return;
    const collect = (globalThis as { gc?: () => void }).gc;
    if (message.gc && collect) {
      collect();
      collect();
    }
    const memory = process.memoryUsage();
    const cpu = process.cpuUsage();
    process.send?.({
      probe: 'stats',
      heapUsed: memory.heapUsed,
      rss: memory.rss,
      cpuMicros: cpu.user + cpu.system,
    });
  });
  // The channel must not keep a server alive after its own shutdown.
  process.channel?.unref();
}
