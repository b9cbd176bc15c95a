import assert from 'node:assert/strict';
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { describe, it } from 'node:test';
import { TLSSocket } from 'node:tls';
import { toHandshakeRequest } from './handshake-request.ts';

function requestOf(
  headers: Record<string, string>,
  socket: Socket = new Socket(),
): IncomingMessage {
  const req = new IncomingMessage(socket);
  req.headers = headers;
  req.url = '/socket.io/?EIO=4&transport=websocket&secret=1';
  return req;
}

describe('toHandshakeRequest', () => {
  it('keeps the headers read after the handshake and nothing else', () => {
    const kept = toHandshakeRequest(
      requestOf({
        origin: 'https://shop.test',
        host: 'tandem.test',
        'x-forwarded-for': '198.51.100.1, 10.0.0.1',
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'cobrowse.test',
        cookie: 'sid=1',
        'user-agent': 'test',
        authorization: 'Bearer x',
      }),
    );
    assert.deepEqual(kept.headers, {
      origin: 'https://shop.test',
      host: 'tandem.test',
      'x-forwarded-for': '198.51.100.1, 10.0.0.1',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'cobrowse.test',
    });
    assert.deepEqual(Object.keys(kept).sort(), ['connection', 'headers']);
  });

  it('leaves absent headers absent (Socket.IO reads a missing Origin as not cross-domain)', () => {
    const kept = toHandshakeRequest(requestOf({ host: 'tandem.test' }));
    assert.deepEqual(kept.headers, { host: 'tandem.test' });
    assert.equal('origin' in kept.headers, false);
  });

  it('says whether the connection came over TLS, as `connection.encrypted`', () => {
    assert.equal(toHandshakeRequest(requestOf({})).connection.encrypted, false);
    const tls = new TLSSocket(new Socket());
    assert.equal(toHandshakeRequest(requestOf({}, tls)).connection.encrypted, true);
    tls.destroy();
  });
});
