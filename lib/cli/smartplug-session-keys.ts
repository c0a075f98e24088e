/**
 * tplink-smartplug --print-session-keys: a debugging aid, off by default,
 * that prints the key and IV of every AES session the run opens, in the
 * form wireshark/tplink-smart.lua's tplink_aes.keys preference takes, so
 * that a capture of the run can be decrypted. The device sends the key
 * RSA-encrypted to the client, so only the client can tell it. The whole
 * run is wrapped in one scope (lib/smart/aes/session-key-log.ts): any AES
 * transport made under it, whichever command made it, reports there.
 */
import type { AesSessionKeys } from '../smart/aes/transport';
import { withAesSessionKeyLog } from '../smart/aes/session-key-log';

export const SESSION_KEY_FLAGS = {
  'print-session-keys': { type: 'boolean' },
} as const;

export const SESSION_KEYS_HELP = `      --print-session-keys   debug: print each AES session's key and IV to stderr as
                             tplink_aes.keys:KEY:IV, the Wireshark preference that
                             decrypts a capture of the session (wireshark/README.md).
                             Anyone holding them can read that session, the login
                             (the account's password or its SHA-1) included: keep them
                             private. KLAP prints nothing: Wireshark decrypts KLAP from
                             the account's e-mail and password
`;

/** The name of the preference, as tshark's -o takes it (name:value). */
export const AES_KEYS_PREFERENCE = 'tplink_aes.keys';

const NAME = 'tplink-smartplug';

/** One session's line; the preference and its value come last, so that `grep -o 'tplink_aes\.keys:.*'` gives tshark's -o argument. */
export function sessionKeyLine(keys: AesSessionKeys): string {
  const session = keys.sessionId === undefined ? '' : ` TP_SESSIONID=${keys.sessionId}`;
  return `${NAME}: AES session ${keys.host}:${keys.port}${session}: ${AES_KEYS_PREFERENCE}:${keys.key.toString('hex')}:${keys.iv.toString('hex')}\n`;
}

const WARNING = `${NAME}: warning: --print-session-keys: each key below decrypts its whole AES session, the login included: keep it private\n`;

/** Runs `work`, printing to `stderr` the keys of the AES sessions it opens when `enabled`; else just runs it. */
export function withSessionKeysPrinted<T>(enabled: boolean, stderr: NodeJS.WritableStream, work: () => Promise<T>): Promise<T> {
  if (!enabled) return work();
  let warned = false;
  return withAesSessionKeyLog((keys) => {
    if (!warned) stderr.write(WARNING);
    warned = true;
    stderr.write(sessionKeyLine(keys));
  }, work);
}
