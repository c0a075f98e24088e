/**
 * @kasa-red/node-red-tplink-kasa: the protocol library behind the Node-RED nodes.
 */
export { encrypt, decrypt, INITIAL_KEY } from './smarthome/cipher';
export { encodeFrame, FrameDecoder, FrameError, encodeDatagram, decodeDatagram, DEFAULT_MAX_FRAME_LENGTH } from './smarthome/framing';
export * as commands from './smarthome/commands';
export { combine, forChildren, resolveChildId } from './smarthome/commands';
export type { SmartHomeRequest, ScheduleRule, CountdownRule, AntiTheftRule, TimezoneSetting } from './smarthome/commands';
export { checkResponse, normalizeEnergy, normalizeStats, normalizeUnits } from './smarthome/response';
export type { EnergyReading, EnergyStat, SmartHomeResponse } from './smarthome/response';
export {
  SmartHomeError, TimeoutError, ConnectionError, ProtocolError, DeviceError, AuthenticationError, ClientClosedError,
} from './smarthome/errors';
export { SmartHomeClient, powerStateOf } from './smarthome/client';
export type { SmartHomeClientOptions, RequestOptions, SysInfo } from './smarthome/client';
export { createTransport, TcpTransport, UdpTransport, KlapTransport, AutoTransport } from './smarthome/transports';
export { buildDiscovery20002Request, parseDiscovery20002Reply, DISCOVERY_20002_PORT } from './smarthome/discovery20002';
export type { Transport, TransportName, TransportOptions } from './smarthome/transports';
export { discover, DiscoveryScanner } from './smarthome/discovery';
export type {
  DiscoverOptions, DiscoverCallbacks, DiscoveredDevice, DiscoveredChild, DiscoveredKind, KlapInfo, DiscoveryScannerOptions, DeviceChange, SweepSummary,
} from './smarthome/discovery';
export * as tddp from './tddp';
export {
  TddpClient, TddpError, TddpTimeoutError, TddpConnectionError, TddpShortPacketError, TddpOversizePacketError,
  TddpMalformedPacketError, TddpDigestError, TddpDecryptionError, TddpStatusError, TddpClosedError, TddpType, TddpStatus,
} from './tddp';
export * as simulator from './simulator';
