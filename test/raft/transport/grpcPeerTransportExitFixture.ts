/**
 * Child-process fixture of grpcPeerTransport.test.ts: starts two transports, exchanges messages, closes both and
 * returns without calling process.exit, so the process exits only if close() left no open handles.
 */
import { makeMessage, type Message } from '../../../src/raft/core/types.js';
import { GrpcPeerTransport } from '../../../src/raft/transport/grpcPeerTransport.js';

const received: Message[] = [];
let delivered: () => void = () => {};
const allDelivered = new Promise<void>((resolve) => (delivered = resolve));

const two = await GrpcPeerTransport.start({
  nodeId: 2,
  listenAddress: '127.0.0.1:0',
  peerAddresses: new Map([[1, '127.0.0.1:1']]),
  onMessage: (_groupId, message) => {
    received.push(message);
    if (received.length === 3) delivered();
  },
  random: Math.random,
});
const one = await GrpcPeerTransport.start({
  nodeId: 1,
  listenAddress: '127.0.0.1:0',
  peerAddresses: new Map([[2, `127.0.0.1:${two.port}`]]),
  onMessage: () => {},
  random: Math.random,
});
// Node 2 also dials an address where nothing listens, so close() must cancel a pending reconnect timer too.
two.send(1, [makeMessage({ type: 'heartbeat', from: 2, to: 1 })]);
one.send(1, [makeMessage({ type: 'heartbeat', from: 1, to: 2 })]);
one.send(2, [makeMessage({ type: 'heartbeat', from: 1, to: 2 }), makeMessage({ type: 'app', from: 1, to: 2 })]);
await allDelivered;
await one.close();
await two.close();
process.stdout.write(`received ${received.length}, closed\n`);
