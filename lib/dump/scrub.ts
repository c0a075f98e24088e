/**
 * Scrubbing a dump before it is written: everything that identifies a
 * unit, its owner or their home is replaced by a stable fake, so that a
 * user can attach the file to a public issue.
 *
 * - MACs, and device, hardware, OEM and owner ids become fakes of the same
 *   form (length, case, separators), numbered in the order they are first
 *   met, so the same real value always becomes the same fake and a fake
 *   carries nothing of the real value; an id that embeds another (a strip
 *   outlet's id is the strip's id and two digits) keeps the embedded part
 *   consistent with it.
 * - Aliases and nicknames, SSIDs, cloud user names and IP addresses become
 *   "Alias 1", "SSID 1", "user1@example.com", 192.0.2.1 (the documentation
 *   range); base64 fields (SMART nicknames and SSIDs) are decoded first.
 * - Coordinates become 0; HomeKit and Matter setup codes become zeros.
 * - Then every string in the file (values and keys) is searched for each
 *   private value, as written, in upper and lower case, in base64 and in
 *   hex, and any occurrence is replaced: a value copied into a field we do
 *   not know about does not survive either.
 *
 * Scrubbing a scrubbed dump changes nothing: the fakes are met in the same
 * order and numbered the same.
 */
import { isJsonObject, type JsonObject } from '../json';
import type { DeviceDump } from './format';

const ID_FIELDS = new Set([
  'deviceId', 'device_id', 'hwId', 'hw_id', 'oemId', 'oem_id', 'owner', 'original_device_id', 'parent_device_id', 'child_id', 'child_ids', 'child',
]);
const MAC_FIELDS = new Set(['mac', 'mic_mac', 'bssid']);
const NAME_FIELDS = new Set(['alias', 'nickname', 'dev_alias']);
const SSID_FIELDS = new Set(['ssid']);
const USER_FIELDS = new Set(['username', 'email']);
const IP_FIELDS = new Set(['ip', 'local_ip']);
const COORDINATE_FIELDS = new Set(['latitude', 'longitude', 'latitude_i', 'longitude_i', 'la', 'lo']);
const SECRET_FIELDS = new Set(['setup_code', 'setup_payload', 'mfi_setup_code', 'mfi_setup_id', 'mfi_token_token', 'mfi_token_uuid']);
/** SMART firmware writes these in base64. */
const BASE64_FIELDS = new Set(['nickname', 'ssid']);
/** Shorter ids are outlet numbers ("00"), not identities. */
const MIN_ID_LENGTH = 8;
/** Shorter names are replaced only where a whole field holds them: "TV" inside other text is not the alias. */
const MIN_SEARCHED_LENGTH = 4;

type Category = 'id' | 'mac' | 'name' | 'ssid' | 'user' | 'ip';

/** Private values in the order first met, per category. */
class Found {
  readonly values = new Map<Category, string[]>();

  add(category: Category, value: string): void {
    const list = this.values.get(category) ?? [];
    if (!list.includes(value)) list.push(value);
    this.values.set(category, list);
  }

  of(category: Category): string[] {
    return this.values.get(category) ?? [];
  }
}

export function scrubDump<T extends DeviceDump>(dump: T): T {
  const base64 = dump.family === 'smart';
  const found = new Found();
  collect(dump.exchanges, '', found, base64);
  if (dump.discovery) collect(dump.discovery.reply, '', found, base64);
  const replacer = new Replacer(fakesFor(found));
  const counts: Record<string, number> = { ...dump.scrubbed };
  const exchanges = rewrite(dump.exchanges, '', replacer, counts, base64) as T['exchanges'];
  const scrubbed: T = { ...dump, exchanges };
  if (dump.discovery) scrubbed.discovery = { port: dump.discovery.port, reply: rewrite(dump.discovery.reply, '', replacer, counts, base64) as JsonObject };
  scrubbed.scrubbed = Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
  return scrubbed;
}

function decoded(value: string, key: string, base64: boolean): string {
  if (!base64 || !BASE64_FIELDS.has(key)) return value;
  const text = Buffer.from(value, 'base64').toString('utf8');
  // Not base64 after all (an early firmware writing plain text): take it as written.
  return Buffer.from(text, 'utf8').toString('base64') === value ? text : value;
}

/** Walks the dump noting every private value under a field that holds one. */
function collect(value: unknown, key: string, found: Found, base64: boolean, parent = ''): void {
  if (Array.isArray(value)) {
    for (const item of value) collect(item, key, found, base64, parent);
    return;
  }
  if (isJsonObject(value)) {
    for (const [name, item] of Object.entries(value)) collect(item, name, found, base64, key);
    return;
  }
  if (typeof value !== 'string' || value === '') return;
  // A classic strip lists its outlets as children: [{id, alias, ...}].
  if ((ID_FIELDS.has(key) || (key === 'id' && parent === 'children')) && value.length >= MIN_ID_LENGTH) found.add('id', value);
  else if (MAC_FIELDS.has(key) && macDigits(value) !== undefined) found.add('mac', macDigits(value) as string);
  else if (NAME_FIELDS.has(key)) found.add('name', decoded(value, key, base64));
  else if (SSID_FIELDS.has(key)) found.add('ssid', decoded(value, key, base64));
  else if (USER_FIELDS.has(key)) found.add('user', value);
  else if (IP_FIELDS.has(key)) found.add('ip', value);
}

/** A MAC's twelve hex digits, upper case, whatever the separators; undefined for anything else. */
function macDigits(value: string): string | undefined {
  const digits = value.replace(/[-:.]/g, '');
  return /^[0-9A-Fa-f]{12}$/.test(digits) ? digits.toUpperCase() : undefined;
}

/** Where a private value may be replaced: everywhere it appears, or (short ones) only as a whole private field. */
interface Fakes {
  /** Searched in every string of the file. */
  anywhere: Map<string, string>;
  /** "TV" is replaced where a name field holds exactly "TV", not inside other text. */
  wholeField: Map<string, string>;
}

/** Real value → fake, every written form of each (case, separators, base64, hex). */
function fakesFor(found: Found): Fakes {
  const fakes: Fakes = { anywhere: new Map(), wholeField: new Map() };
  const ids = found.of('id');
  // An id that contains another (an outlet's id is its strip's id and two digits) is scrubbed through the one it contains.
  const roots = ids.filter((id) => !ids.some((other) => other !== id && other.length < id.length && id.includes(other)));
  roots.forEach((id, i) => addCased(fakes.anywhere, id, fakeHex(id, i + 1)));
  found.of('mac').forEach((digits, i) => addMac(fakes.anywhere, digits, (0x00005e005300 + i + 1).toString(16).toUpperCase().padStart(12, '0')));
  found.of('name').forEach((name, i) => addText(fakes, name, `Alias ${i + 1}`));
  found.of('ssid').forEach((ssid, i) => addText(fakes, ssid, `SSID ${i + 1}`));
  found.of('user').forEach((user, i) => addText(fakes, user, `user${i + 1}@example.com`));
  found.of('ip').forEach((ip, i) => addText(fakes, ip, `192.0.2.${(i % 254) + 1}`));
  return fakes;
}

/** A fake of the same length and case as `real`: the number `n` in hex, zero-padded. */
function fakeHex(real: string, n: number): string {
  const fake = n.toString(16).padStart(real.length, '0');
  return real === real.toLowerCase() ? fake : fake.toUpperCase();
}

function addCased(pairs: Map<string, string>, real: string, fake: string): void {
  pairs.set(real, fake);
  pairs.set(real.toUpperCase(), fake.toUpperCase());
  pairs.set(real.toLowerCase(), fake.toLowerCase());
}

function addMac(pairs: Map<string, string>, real: string, fake: string): void {
  const group = (digits: string, separator: string): string => (digits.match(/../g) ?? []).join(separator);
  for (const separator of [':', '-', '']) addCased(pairs, group(real, separator), group(fake, separator));
}

function addText(fakes: Fakes, real: string, fake: string): void {
  const pairs = real.length >= MIN_SEARCHED_LENGTH ? fakes.anywhere : fakes.wholeField;
  pairs.set(real, fake);
  pairs.set(Buffer.from(real, 'utf8').toString('base64'), Buffer.from(fake, 'utf8').toString('base64'));
  addCased(pairs, Buffer.from(real, 'utf8').toString('hex'), Buffer.from(fake, 'utf8').toString('hex'));
}

const PRIVATE_TEXT_FIELDS = new Set([...NAME_FIELDS, ...SSID_FIELDS, ...USER_FIELDS, ...IP_FIELDS]);

/** Replaces every private value in a string in one pass, so that a fake is never searched again. */
class Replacer {
  private readonly search: RegExp | undefined;

  constructor(private readonly fakes: Fakes) {
    const searched = [...fakes.anywhere.keys()].filter((real) => fakes.anywhere.get(real) !== real);
    searched.sort((a, b) => b.length - a.length);
    this.search = searched.length === 0 ? undefined : new RegExp(searched.map(escapeRegExp).join('|'), 'g');
  }

  /** `key`: the field the text is the value of ('' for a field name). */
  apply(text: string, key: string): string {
    const whole = PRIVATE_TEXT_FIELDS.has(key) ? this.fakes.wholeField.get(text) : undefined;
    if (whole !== undefined) return whole;
    return this.search ? text.replace(this.search, (real) => this.fakes.anywhere.get(real) ?? real) : text;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function count(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/** A copy of `value` with private values replaced, counting replacements per field name. */
function rewrite(value: unknown, key: string, replacer: Replacer, counts: Record<string, number>, base64: boolean): unknown {
  if (Array.isArray(value)) return value.map((item) => rewrite(item, key, replacer, counts, base64));
  if (isJsonObject(value)) {
    const out: JsonObject = {};
    for (const [name, item] of Object.entries(value)) {
      const newName = replacer.apply(name, '');
      if (newName !== name) count(counts, '(field names)');
      Object.defineProperty(out, newName, { value: rewrite(item, name, replacer, counts, base64), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  if (COORDINATE_FIELDS.has(key) && typeof value === 'number') {
    if (value !== 0) count(counts, key);
    return 0;
  }
  if (typeof value !== 'string') return value;
  if (SECRET_FIELDS.has(key)) {
    const zeros = value.replace(/\w/g, '0');
    if (zeros !== value) count(counts, key);
    return zeros;
  }
  const scrubbed = scrubString(value, key, replacer, base64);
  if (scrubbed !== value) count(counts, key);
  return scrubbed;
}

function scrubString(value: string, key: string, replacer: Replacer, base64: boolean): string {
  const text = decoded(value, key, base64);
  if (text === value) return replacer.apply(value, key);
  return Buffer.from(replacer.apply(text, key), 'utf8').toString('base64');
}
