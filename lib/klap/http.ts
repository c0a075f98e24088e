/**
 * One binary POST over a keep-alive agent, with a deadline and a cap on the
 * reply size applied before buffering. Errors come out typed and name the
 * device; neither bodies nor cookies are ever put into a message.
 */
import * as http from 'node:http';
import { ConnectionError, ProtocolError, TimeoutError, type DeviceAddress } from '../errors';
import { markRetriable } from '../transport';

export interface PostOptions {
  agent: http.Agent;
  address: DeviceAddress;
  path: string;
  body: Buffer;
  cookie?: string | undefined;
  timeout: number;
  maxResponseSize: number;
  /** Default application/octet-stream (KLAP); the SMART AES transport posts JSON. */
  contentType?: string;
}

export interface PostReply {
  status: number;
  body: Buffer;
  setCookie: string[];
}

export async function postBinary(options: PostOptions): Promise<PostReply> {
  try {
    return await postOnce(options);
  } catch (error) {
    // A keep-alive socket the device closed while idle fails on reuse before
    // the request reaches it; Node's documentation recommends one retry.
    if (error instanceof StaleSocketError) return postOnce(options);
    throw error;
  }
}

class StaleSocketError extends Error {}

function postOnce(options: PostOptions): Promise<PostReply> {
  const { address, path, timeout, maxResponseSize } = options;
  const where = `POST ${path.split('?')[0]}`;
  return new Promise<PostReply>((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | undefined, reply?: PostReply): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) {
        req.destroy();
        reject(error);
      } else if (reply) {
        resolve(reply);
      }
    };
    const headers: http.OutgoingHttpHeaders = {
      'Content-Type': options.contentType ?? 'application/octet-stream',
      'Content-Length': options.body.length,
    };
    if (options.cookie) headers.Cookie = options.cookie;
    const req = http.request({ host: address.host, port: address.port, method: 'POST', path, agent: options.agent, headers });
    const timer = setTimeout(() => finish(new TimeoutError(`${where}: no reply within ${timeout} ms`, timeout, address)), timeout);

    req.on('error', (error: NodeJS.ErrnoException) => {
      if (req.reusedSocket && error.code === 'ECONNRESET') return finish(new StaleSocketError());
      const wrapped = new ConnectionError(`${where}: ${error.code ?? error.message}`, address, error);
      finish(error.code === 'ECONNREFUSED' ? markRetriable(wrapped) : wrapped);
    });
    req.on('response', (res) => {
      const declared = Number(res.headers['content-length']);
      const tooBig = (size: number): ProtocolError =>
        new ProtocolError(`${where}: reply of ${size} bytes exceeds the limit of ${maxResponseSize} bytes`, address);
      // Settle first: destroying the reply emits 'aborted', which would otherwise win.
      if (declared > maxResponseSize) {
        finish(tooBig(declared));
        res.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxResponseSize) {
          finish(tooBig(size));
          res.destroy();
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', (error) => finish(new ConnectionError(`${where}: reply interrupted`, address, error)));
      res.on('aborted', () => finish(new ConnectionError(`${where}: reply interrupted`, address)));
      res.on('end', () => {
        const setCookie = res.headers['set-cookie'] ?? [];
        finish(undefined, { status: res.statusCode ?? 0, body: Buffer.concat(chunks, size), setCookie });
      });
    });
    req.end(options.body);
  });
}

/**
 * Reads `name=value` pairs from Set-Cookie headers. Devices send
 * "TP_SESSIONID=...;TIMEOUT=86400" in one header, so TIMEOUT looks like an
 * attribute to a browser; every pair is read alike here.
 */
export function readCookies(setCookie: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const header of setCookie) {
    for (const part of header.split(';')) {
      const eq = part.indexOf('=');
      if (eq <= 0) continue;
      out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
  }
  return out;
}
