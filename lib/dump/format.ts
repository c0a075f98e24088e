/**
 * The device dump file: what a device answered to every read-only query
 * we know for its family, and what is needed to serve those answers again
 * as a simulated device (family, transport, login version, discovery
 * reply). One format for the dumper (lib/dump/dump.ts), the scrubber and
 * the simulator's fixtures (lib/simulator/fixture); docs/device-dumps.md
 * describes it for people. A dump is read like anything else from outside:
 * checked against its shape before anything uses it.
 */
import { JsonShapeError, parseBoundedJson, shape, type JsonObject } from '../json';

export const DUMP_FORMAT = 'kasa-device-dump';
export const DUMP_VERSION = 1;

/** Dumps of real devices run to tens of KiB; a hub with many children to a few hundred. */
const MAX_DUMP_BYTES = 8 * 1024 * 1024;
const MAX_DUMP_DEPTH = 40;

export type DumpFamily = 'classic' | 'smart';
export type DumpTransport = 'tcp' | 'udp' | 'klap' | 'aes';

/**
 * One classic query and its answer, both whole as they went over the wire:
 * `{"emeter":{"get_realtime":{}}}` and `{"emeter":{"get_realtime":{...,"err_code":0}}}`.
 * A query for one outlet of a strip carries its `context.child_ids`.
 */
export interface ClassicExchange {
  request: JsonObject;
  reply: JsonObject;
}

/**
 * One SMART method and its answer: `{error_code, result}` as the device
 * sent it (a paged list with every page joined), for the device itself or,
 * with `child`, for one child through control_child.
 */
export interface SmartExchange {
  child?: string;
  request: { method: string; params?: JsonObject };
  reply: { error_code: number; result?: unknown };
}

interface DumpHeader {
  format: typeof DUMP_FORMAT;
  version: typeof DUMP_VERSION;
  /** When the device was asked (ISO 8601, UTC): ties the device's own clock to real time. */
  dumpedAt: string;
  /** What wrote the file. */
  tool: string;
  /** As the device names itself, with region where it says one: "HS300(US)", "P110". */
  model: string;
  /** plug, strip, switch, dimmer, bulb or lightstrip, as the device layer reads the device. */
  kind: string;
  hardware: string;
  firmware: string;
  /** How the device was reached, and so how a fixture serves it. */
  transport: DumpTransport;
  /** KLAP hashing version or AES login_device version the device took. */
  loginVersion?: 1 | 2;
  /** The discovery reply, when one was heard: UDP 9999 (classic) or 20002 (KLAP, SMART). */
  discovery?: { port: number; reply: JsonObject };
  /** Field name → how many values under it were replaced by fakes; absent in a dump that was never scrubbed. */
  scrubbed?: Record<string, number>;
  /** Free text from whoever contributed the file (firmware oddities, what was plugged in). */
  notes?: string;
}

export type ClassicDump = DumpHeader & { family: 'classic'; exchanges: ClassicExchange[] };
export type SmartDump = DumpHeader & { family: 'smart'; exchanges: SmartExchange[] };
export type DeviceDump = ClassicDump | SmartDump;

const header = {
  format: shape.oneOf(DUMP_FORMAT),
  version: shape.oneOf(DUMP_VERSION),
  dumpedAt: (value: unknown, path: string): string => {
    const text = shape.string(value, path);
    if (Number.isNaN(Date.parse(text))) throw new JsonShapeError(path, `should be an ISO 8601 time, got ${JSON.stringify(text)}`);
    return text;
  },
  tool: shape.string,
  model: shape.string,
  kind: shape.string,
  hardware: shape.string,
  firmware: shape.string,
  transport: shape.oneOf<DumpTransport>('tcp', 'udp', 'klap', 'aes'),
  loginVersion: shape.optional(shape.oneOf<1 | 2>(1, 2)),
  discovery: shape.optional(shape.object({ port: shape.integerIn(1, 65535), reply: shape.anyObject })),
  scrubbed: shape.optional(shape.recordOf(shape.integerIn(0, 1_000_000))),
  notes: shape.optional(shape.string),
};

const MAX_EXCHANGES = 5000;

const classicDump = shape.object({
  ...header,
  family: shape.oneOf('classic'),
  exchanges: shape.arrayOf(shape.object({ request: shape.anyObject, reply: shape.anyObject }), { maxLength: MAX_EXCHANGES }),
});

const anyValue: shape.Reader<unknown> = (value) => value;

const smartDump = shape.object({
  ...header,
  family: shape.oneOf('smart'),
  exchanges: shape.arrayOf(shape.object({
    child: shape.optional(shape.string),
    request: shape.object({ method: shape.string, params: shape.optional(shape.anyObject) }),
    reply: shape.object({ error_code: shape.integer, result: shape.optional(anyValue) }),
  }), { maxLength: MAX_EXCHANGES }),
});

/** Checks a parsed dump; throws a JsonShapeError saying which field is wrong. `source` names the file. */
export function readDump(value: unknown, source = 'dump'): DeviceDump {
  const family = shape.isJsonObject(value) ? value.family : undefined;
  if (family === 'classic') return shape.read(classicDump, value, source) as ClassicDump;
  if (family === 'smart') return shape.read(smartDump, value, source) as SmartDump;
  throw new JsonShapeError(`${source}.family`, `should be "classic" or "smart", got ${shape.describeValue(family)}`);
}

/** Parses and checks a dump file's text. */
export function parseDump(text: string, source = 'dump'): DeviceDump {
  let value: unknown;
  try {
    value = parseBoundedJson(text, { maxBytes: MAX_DUMP_BYTES, maxDepth: MAX_DUMP_DEPTH });
  } catch (error) {
    throw new JsonShapeError(source, error instanceof Error ? error.message : String(error));
  }
  return readDump(value, source);
}

/** The file's text: two-space indents, a final newline, fields in the order above, so diffs of two dumps read well. */
export function formatDump(dump: DeviceDump): string {
  const { format, version, dumpedAt, tool, family, model, kind, hardware, firmware, transport, loginVersion, discovery, scrubbed, notes, exchanges } = dump;
  const ordered = { format, version, dumpedAt, tool, family, model, kind, hardware, firmware, transport, loginVersion, discovery, scrubbed, notes, exchanges };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}
