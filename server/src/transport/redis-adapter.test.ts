import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Adapter } from 'socket.io-adapter';
import { Encoder } from 'socket.io-parser';
import { skipIdleEncodes } from './redis-adapter.ts';

/** A namespace with one socket, `local`, whose writes are kept; and a counting encoder. */
function namespace() {
  const encoder = new Encoder();
  let encodes = 0;
  const encode = encoder.encode.bind(encoder);
  encoder.encode = (packet) => {
    encodes += 1;
    return encode(packet);
  };
  const written: unknown[][] = [];
  const local = {
    id: 'local',
    client: { writeToEngine: (packets: unknown[]) => written.push(packets) },
  };
  const nsp = { name: '/agent', server: { encoder }, sockets: new Map([['local', local]]) };
  return { nsp, written, encodes: () => encodes };
}

describe('skipIdleEncodes', () => {
  it('encodes a broadcast only when a socket of this node is in a target room', () => {
    const { nsp, written, encodes } = namespace();
    const adapter = skipIdleEncodes(new Adapter(nsp as never));
    adapter.addAll('local', new Set(['local', 'agents:here']));
    const packet = () => ({ type: 2, data: ['page:batch', { seq: 1 }] });

    adapter.broadcast(packet() as never, {
      rooms: new Set(['agents:elsewhere']),
      except: new Set(),
    });
    assert.equal(encodes(), 0, 'nobody here: not encoded');
    assert.equal(written.length, 0);

    adapter.broadcast(packet() as never, { rooms: new Set(['agents:here']), except: new Set() });
    assert.equal(encodes(), 1);
    assert.equal(written.length, 1, 'the local agent got it');

    // A broadcast to everyone, and one that comes from another node (no rooms recorded), encode.
    adapter.broadcast(packet() as never, { rooms: new Set<string>(), except: new Set<string>() });
    assert.equal(encodes(), 2);
    const fromAnotherNode = packet();
    Adapter.prototype.broadcast.call(adapter, fromAnotherNode as never, {
      rooms: new Set(['agents:here']),
      except: new Set<string>(),
    });
    assert.equal(encodes(), 3);
    assert.equal(written.length, 3);
  });
});
