/**
 * Real devices as data: dump a device's answers to a file (scrubbed of
 * private data), read a dump back. The simulator serves dumps as devices
 * (lib/simulator/fixture); docs/device-dumps.md describes the file.
 */
export { dumpDevice, writeDump, type DumpOptions } from './dump';
export { scrubDump } from './scrub';
export { probeDiscovery20002, type DiscoveryProbeOptions } from './discovery';
export {
  parseDump, readDump, formatDump, DUMP_FORMAT, DUMP_VERSION,
  type DeviceDump, type ClassicDump, type SmartDump, type ClassicExchange, type SmartExchange, type DumpFamily, type DumpTransport,
} from './format';
export { UNKNOWN_MODULE_PROBE, UNKNOWN_METHOD_PROBE } from './classic-queries';
export { UNKNOWN_SMART_METHOD_PROBE } from './smart-queries';
