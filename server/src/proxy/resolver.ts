/**
 * Name resolution for the proxy, injectable so that tests need no DNS. The proxy resolves a name
 * once per hop, checks every address, and connects to a checked one.
 */
import { lookup } from 'node:dns/promises';

/** Resolves a host name to every address it has; rejects when it has none. */
export type Resolver = (host: string) => Promise<string[]>;

export const systemResolver: Resolver = async (host) => {
  const answers = await lookup(host, { all: true, verbatim: true });
  return answers.map((answer) => answer.address);
};
