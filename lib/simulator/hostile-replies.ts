/**
 * The bytes a hostile device (or anyone on the Wi-Fi) answers with, one
 * builder per mode, so that each attack is data that tests and the soak can
 * name, and can be checked without a socket. The honest reply comes from a
 * SimulatedDevice; a mode bends it. The stream modes (a length then a
 * trickle, accepting and never reading, a reset in mid-frame) are carried
 * out by the server in hostile-device.ts.
 */
import { encrypt } from '../classic/cipher';
import { encodeFrame } from '../classic/framing';

export const HOSTILE_MODES = [
  /** Behaves: the honest reply. */
  'none',
  /** TCP: a length prefix of 0xFFFFFFFF, then one byte every 100 ms. */
  'huge-length',
  /** TCP: 1,000,000 bytes announced (within the 1 MiB cap), then one byte every 100 ms. */
  'announced-trickle',
  /** TCP: accepts connections and never reads from them. */
  'never-reads',
  /** TCP: half of the reply frame, then a reset (RST). */
  'rst-mid-frame',
  /** An HTTP error page instead of a frame (TCP: its first bytes read as a length of 1213486160); UDP: random bytes. */
  'garbage',
  /** A valid frame or datagram whose text is not JSON. */
  'non-json',
  /** JSON of the wrong shape: `[]`. */
  'json-array',
  /** JSON of the wrong shape: `null`. */
  'json-null',
  /** A sysinfo with relay_state 1e309 (Infinity once parsed); energy with power_mw 1e309. */
  'infinite-number',
  /** Strings for numbers: relay_state "on", power_mw "NaN", outlet states "1". */
  'strings-for-numbers',
  /** A sysinfo with `"children":"x"`. */
  'children-not-array',
  /** A valid sysinfo with one more field nested 100,000 levels deep (UDP: 30,000, to fit a datagram). */
  'deep-nesting',
  /** A valid sysinfo padded to 900 KiB (TCP) or 60,000 bytes (UDP, under the datagram limit). */
  'large-valid',
  /** The reply of another request: an energy reading for a sysinfo request, a sysinfo for anything else; nothing applied. */
  'other-reply',
  /** Reads and applies requests, never answers. */
  'silent',
] as const;

export type HostileMode = (typeof HOSTILE_MODES)[number];

export function isHostileMode(value: unknown): value is HostileMode {
  return typeof value === 'string' && (HOSTILE_MODES as readonly string[]).includes(value);
}

/** The honest device: answers a request (as SimulatedDevice.handle does). */
export type Answer = (request: Record<string, unknown>) => Record<string, unknown>;

export const DEEP_NESTING_LEVELS = { tcp: 100_000, udp: 30_000 };
export const LARGE_TCP_BYTES = 900 * 1024;
export const LARGE_UDP_BYTES = 60_000;
const INFINITY_MARK = '"__infinity__"';
export const HTTP_ERROR_PAGE = 'HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n';

/**
 * The reply text a content mode sends for `request`, or undefined for the
 * modes that are not about content (stream modes, silence).
 */
export function hostileReplyText(mode: HostileMode, request: Record<string, unknown>, answer: Answer, transport: 'tcp' | 'udp'): string | undefined {
  switch (mode) {
    case 'none': return JSON.stringify(answer(request));
    case 'non-json': return '<html><body>Not a plug</body></html>';
    case 'json-array': return '[]';
    case 'json-null': return 'null';
    case 'infinite-number': return bend(request, answer, infinite).replaceAll(INFINITY_MARK, '1e309');
    case 'strings-for-numbers': return bend(request, answer, stringsForNumbers);
    case 'children-not-array': return bend(request, answer, (sysinfo) => ({ ...sysinfo, children: 'x' }));
    case 'deep-nesting': {
      const levels = DEEP_NESTING_LEVELS[transport];
      return withExtraField(JSON.stringify(answer(request)), `${'['.repeat(levels)}${']'.repeat(levels)}`);
    }
    case 'large-valid': return padded(JSON.stringify(answer(request)), transport === 'tcp' ? LARGE_TCP_BYTES : LARGE_UDP_BYTES);
    case 'other-reply': return JSON.stringify(answer(isSysinfoRequest(request) ? { emeter: { get_realtime: {} } } : { system: { get_sysinfo: {} } }));
    default: return undefined;
  }
}

/** A TCP reply frame for the content modes; the HTTP page (no frame) for garbage. */
export function hostileFrame(mode: HostileMode, request: Record<string, unknown>, answer: Answer): Buffer | undefined {
  if (mode === 'garbage') return Buffer.from(HTTP_ERROR_PAGE, 'latin1');
  const text = hostileReplyText(mode, request, answer, 'tcp');
  return text === undefined ? undefined : encodeFrame(text);
}

/** A UDP reply datagram for the content modes; random bytes for garbage; undefined for no reply. */
export function hostileDatagram(mode: HostileMode, request: Record<string, unknown>, answer: Answer): Buffer | undefined {
  if (mode === 'garbage') return randomBytes(48);
  const text = hostileReplyText(mode, request, answer, 'udp');
  return text === undefined ? undefined : encrypt(Buffer.from(text, 'utf8'));
}

function isSysinfoRequest(request: Record<string, unknown>): boolean {
  const system = request.system;
  return typeof system === 'object' && system !== null && 'get_sysinfo' in system;
}

type SysinfoBend = (sysinfo: Record<string, unknown>) => Record<string, unknown>;
type ReadingBend = (reading: Record<string, unknown>) => Record<string, unknown>;

/** The honest reply with its sysinfo (and energy readings) bent. */
function bend(request: Record<string, unknown>, answer: Answer, bendSysinfo: SysinfoBend, bendReading: ReadingBend = bendSysinfo): string {
  const reply = answer(request);
  const system = reply.system as Record<string, unknown> | undefined;
  const sysinfo = system?.get_sysinfo as Record<string, unknown> | undefined;
  if (system && sysinfo) reply.system = { ...system, get_sysinfo: bendSysinfo(sysinfo) };
  for (const module of ['emeter', 'smartlife.iot.common.emeter']) {
    const meter = reply[module] as Record<string, unknown> | undefined;
    const reading = meter?.get_realtime as Record<string, unknown> | undefined;
    if (meter && reading) reply[module] = { ...meter, get_realtime: bendReading(reading) };
  }
  return JSON.stringify(reply);
}

function infinite(value: Record<string, unknown>): Record<string, unknown> {
  const out = { ...value };
  for (const key of ['relay_state', 'power', 'power_mw']) if (key in out) out[key] = '__infinity__';
  return out;
}

function stringsForNumbers(value: Record<string, unknown>): Record<string, unknown> {
  const out = { ...value };
  if ('relay_state' in out) out.relay_state = 'on';
  for (const key of ['power', 'power_mw']) if (key in out) out[key] = 'NaN';
  if (Array.isArray(out.children)) out.children = out.children.map((c) => ({ ...(c as object), state: '1' }));
  return out;
}

/** Adds `"x":<value>` inside the innermost object of the first module's first method (the sysinfo for a sysinfo request). */
function withExtraField(replyText: string, value: string): string {
  const at = replyText.indexOf('{', replyText.indexOf('{', 1) + 1);
  if (at < 0) return replyText;
  const rest = replyText.slice(at + 1);
  return `${replyText.slice(0, at + 1)}"x":${value}${rest.startsWith('}') ? '' : ','}${rest}`;
}

function padded(replyText: string, size: number): string {
  return withExtraField(replyText, JSON.stringify('a'.repeat(Math.max(0, size - replyText.length - 10))));
}

function randomBytes(length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = Math.floor(Math.random() * 256);
  return out;
}
