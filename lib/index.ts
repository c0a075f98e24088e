/**
 * @kasa-red/node-red-tplink-kasa: the protocol library behind the Node-RED nodes.
 * The device simulator is not part of it: it is the package's
 * `@kasa-red/node-red-tplink-kasa/simulator` entry (lib/simulator), so that
 * requiring the library loads no simulated servers.
 */
export { encrypt, decrypt, INITIAL_KEY } from './classic/cipher';
export { encodeFrame, FrameDecoder, FrameError, encodeDatagram, decodeDatagram, DEFAULT_MAX_FRAME_LENGTH } from './classic/framing';
export * as commands from './classic/commands';
export { combine, forChildren } from './classic/commands';
export type { SmartHomeRequest, ScheduleRule, CountdownRule, AntiTheftRule, TimezoneSetting } from './classic/commands';
export { checkResponse, normalizeEnergy, normalizeStats, normalizeUnits } from './classic/response';
export type { EnergyReading, EnergyStat, SmartHomeResponse } from './classic/response';
export {
  SmartHomeError, TimeoutError, ConnectionError, ProtocolError, DeviceError, AuthenticationError, ClientClosedError, DeviceBusyError,
} from './errors';
export { connect, openDevice, ClassicFamily, Device, DeviceConnection, DeviceInputError, findOutlet, DEVICE_KINDS } from './device';
export type {
  ConnectOptions, DeviceKind, DeviceFamily, DeviceState, OutletState, OutletRef, LightState, LightCapabilities, LightChange, FeatureName,
  DeviceFeatures, EnergyFeature, LightFeature, DimmerFeature, RuleFeature, ScheduleFeature, TimeFeature, LedFeature, AliasFeature,
  CloudFeature, WifiFeature, SystemFeature, RuleList, StripEnergyReading, FamilyAdapter,
} from './device';
export { redactSecrets, formatTrafficEvent, type TrafficEvent, type TrafficHook } from './traffic';
export { SmartHomeClient } from './classic/client';
export type { SmartHomeClientOptions, RequestOptions, SysInfo } from './classic/client';
export { createTransport, TcpTransport, UdpTransport, KlapTransport, AutoTransport } from './classic/transports';
export { buildDiscovery20002Request, parseDiscovery20002Reply, DISCOVERY_20002_PORT } from './discovery/tdp';
export type { Transport, TransportName, TransportOptions } from './classic/transports';
export { discover, DiscoveryScanner, summarizeDevice, probeTdpDevices } from './discovery/index';
export type {
  DiscoverOptions, DiscoverCallbacks, DiscoveredDevice, DiscoveredChild, DiscoveredKind, KlapInfo, DiscoveryScannerOptions, DeviceChange, SweepSummary,
  DeviceSummary, OutletSummary, TdpProbeOptions,
} from './discovery/index';
export * as tddp from './tddp';
export {
  TddpClient, TddpError, TddpTimeoutError, TddpConnectionError, TddpShortPacketError, TddpOversizePacketError,
  TddpMalformedPacketError, TddpDigestError, TddpDecryptionError, TddpStatusError, TddpClosedError, TddpType, TddpStatus,
} from './tddp';
export * as smart from './smart';
export { SmartClient, AesTransport, SmartDeviceError, SmartAuthenticationError, SmartTransportMismatchError } from './smart';
export type { SmartClientOptions, SmartDeviceInfo, SmartEnergyReading, SmartComponents } from './smart';
export { readSmartDiscoveryReply, type SmartDiscoveryReply } from './discovery/smart-reply';
export { dumpDevice, writeDump, scrubDump, parseDump, readDump, formatDump, probeDiscovery20002 } from './dump';
export type { DeviceDump, ClassicDump, SmartDump, DumpOptions } from './dump';
