/** How big a run is: the full suite, or the smoke mode `make test` runs (tiny, seconds). */
export interface BenchSettings {
  smoke: boolean;
  /** Repetitions of every contender, interleaved. */
  reps: number;
  warmupMs: number;
  durationMs: number;
  /** Session counts of the one-node relay; the last is used across two nodes. */
  sessionCounts: number[];
  /** Saturation: sessions, and the total message rates tried in turn. */
  saturationSessions: number;
  saturationRates: number[];
  saturationStepMs: number;
  /** Sessions per core: the session counts ramped through until a bound breaks. */
  rampSessionCounts: number[];
  /** Idle sockets opened per node. */
  idleSockets: number;
  /** Node counts of the generated pages snapshotted in Chromium. */
  pageSizes: number[];
  /** Nodes of the page an agent joins. */
  joinPageNodes: number;
  /** Iterations of each mutation workload. */
  mutationIterations: number;
  /** Resilience: sessions (a customer and an agent each) kept updating through the disruptions. */
  resilienceSessions: number;
  /** Resilience: page updates per second per session. */
  resilienceRate: number;
  /** Resilience: steady updates before each disruption and after every client is back. */
  resilienceLeadMs: number;
  /** Resilience: how long the network drop lasts. */
  resilienceDropMs: number;
}

export function settingsFor(smoke: boolean, reps?: number): BenchSettings {
  if (smoke)
    return {
      smoke,
      reps: reps ?? 1,
      warmupMs: 100,
      durationMs: 300,
      sessionCounts: [2],
      saturationSessions: 2,
      saturationRates: [200],
      saturationStepMs: 300,
      rampSessionCounts: [2, 4],
      idleSockets: 20,
      pageSizes: [300],
      joinPageNodes: 300,
      mutationIterations: 2,
      resilienceSessions: 2,
      resilienceRate: 10,
      resilienceLeadMs: 300,
      resilienceDropMs: 300,
    };
  return {
    smoke,
    reps: reps ?? 5,
    warmupMs: 1000,
    durationMs: 4000,
    sessionCounts: [1, 50, 200],
    saturationSessions: 20,
    saturationRates: [4000, 8000, 16000, 24000, 32000, 48000],
    saturationStepMs: 1200,
    rampSessionCounts: [50, 100, 200, 300, 400, 600, 800, 1000, 1300],
    idleSockets: 3000,
    pageSizes: [1000, 10_000, 50_000, 150_000],
    joinPageNodes: 10_000,
    mutationIterations: 50,
    resilienceSessions: 20,
    resilienceRate: 10,
    resilienceLeadMs: 2000,
    resilienceDropMs: 2000,
  };
}
