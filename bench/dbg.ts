import { deploy, openSessions, closeSessions } from './lib/contenders.ts';
import { runLoad } from './lib/load.ts';
import { generateTrace } from './lib/trace.ts';
import { choosePinning } from './lib/processes.ts';
import { startBenchRedis } from './lib/redis.ts';
const pinning = choosePinning();
const trace = generateTrace();
const redis = await startBenchRedis(pinning);
for (let i = 0; i < 2; i++) {
  const dep = await deploy(
    { name: 'x', kind: 'socket.io', nodes: 2, adapter: 'sharded' },
    { pinning, redis },
  );
  dep.servers.forEach((s) => s.child.stderr?.on('data', (d) => console.log('ERR', String(d))));
  const sessions = await openSessions(dep, 2, trace);
  const r = await runLoad(sessions, trace, {
    batchRate: 10,
    pointerRate: 30,
    warmupMs: 300,
    durationMs: 1000,
  });
  console.log(r.batchesSent, r.batchesReceived, r.pointersReceived);
  closeSessions(sessions);
  await dep.stop();
}
await redis.stop();
