/** Helpers for the TDDP tests: bound loopback sockets, socket counting, a bounded wait. */
import { createSocket, Socket } from 'dgram';
import { waitFor } from '../support/wait';

export const LOOPBACK = '127.0.0.1';

export async function boundSocket(address = LOOPBACK, port = 0): Promise<Socket> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, address, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  return socket;
}

export function closeQuietly(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      resolve();
    }
  });
}

export function udpHandleCount(): number {
  return process.getActiveResourcesInfo().filter((name) => name === 'UDPWrap').length;
}

/** Whether `condition` came to hold within `limitMs`: a closed handle disappears one loop turn after its callback (support/wait.ts). */
export function eventually(condition: () => boolean, limitMs = 500): Promise<boolean> {
  return waitFor('condition', condition, limitMs).then(() => true, () => condition());
}

/** Resolves with the rejection of `promise`, failing if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, got a value');
}
