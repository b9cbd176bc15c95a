/**
 * How the snippet and the console reconnect after losing their node (Socket.IO client options):
 * first retry after about 250 ms, then at most a second apart, each ±50% so that the clients of a
 * lost node do not all arrive at once. A 2 s network drop is then recovered within about a second
 * of the network returning (the resilience benchmark measures it).
 */
export const RECONNECT_OPTIONS = {
  reconnectionDelay: 250,
  reconnectionDelayMax: 1000,
  randomizationFactor: 0.5,
} as const;
