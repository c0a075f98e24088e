/**
 * A debugging scope in which every AES transport made reports its session
 * keys, so that a tool (tplink-smartplug --print-session-keys) can hand
 * them to Wireshark without the option being threaded through every layer
 * that may open an AES session on its behalf (dumps, the device layer's
 * transport choice, SmartClient). Like SSLKEYLOGFILE, but scoped to one
 * asynchronous call tree instead of the process: two runs side by side in
 * one process (tests) never see each other's keys, and code outside a
 * scope (Node-RED, the library's users) reports nothing.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { AesSessionKeys } from './transport';

export type AesSessionKeySink = (keys: AesSessionKeys) => void;

const scope = new AsyncLocalStorage<AesSessionKeySink>();

/**
 * Runs `work` with `sink` receiving the key and IV of every AES session
 * opened by a transport made inside it. Debug only: the keys decrypt the
 * whole session, login included; whoever passes `sink` decides where they go.
 */
export function withAesSessionKeyLog<T>(sink: AesSessionKeySink, work: () => T): T {
  return scope.run(sink, work);
}

/** The sink of the scope the caller runs in, if any (read by AesTransport when it is made). */
export function aesSessionKeySinkInScope(): AesSessionKeySink | undefined {
  return scope.getStore();
}
