/**
 * A bench device in its own process (a real plug is another machine): TCP
 * on 127.0.0.1, frames reassembled per connection, every request answered
 * with a precomputed ~600-byte sysinfo reply, so the device costs the same
 * whichever client asks. Sends its port to the parent over IPC and exits
 * when the parent disconnects.
 */
import * as net from 'net';
import { encodeFrame, FrameDecoder } from '../lib/classic/framing';
import { SYSINFO_REPLY } from './payloads';

const reply = encodeFrame(SYSINFO_REPLY);
const sockets = new Set<net.Socket>();
const server = net.createServer((socket) => {
  sockets.add(socket);
  socket.setNoDelay(true);
  socket.on('close', () => sockets.delete(socket));
  socket.on('error', () => undefined);
  const decoder = new FrameDecoder(64 * 1024);
  socket.on('data', (chunk) => {
    const result = decoder.push(chunk);
    for (let i = 0; i < result.frames.length; i++) socket.write(reply);
    if (!result.ok) socket.destroy();
  });
});

server.listen(0, '127.0.0.1', () => {
  process.send?.({ port: (server.address() as net.AddressInfo).port });
});
process.on('disconnect', () => {
  for (const socket of sockets) socket.destroy();
  server.close();
});
