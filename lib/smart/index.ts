/**
 * TP-Link's SMART protocol (Tapo, and Kasa on firmware since about 2023):
 * JSON methods over AES securePassthrough or KLAP, with batches, strip
 * outlets through control_child, paged lists and typed error codes.
 */
export { SmartClient, createSmartTransport, type SmartClientOptions, type CallOptions, type SmartOutcome, type SmartTransportName } from './client';
export { AesTransport, AES_DEFAULT_PORT, type AesTransportOptions, type AesSessionKeys } from './aes/transport';
export type { LoginVersion } from './aes/envelope';
export { withAesSessionKeyLog, type AesSessionKeySink } from './aes/session-key-log';
export {
  encodeRequest, multipleRequest, controlChild, newTerminalUuid, readReply, readBatchResult, readControlChildResult,
  type SmartRequest, type SmartReply, type BatchEntry,
} from './envelope';
export { readDeviceInfo, readChildList, decodeBase64Text, type SmartDeviceInfo } from './device-info';
export { readComponents, readChildComponents, COMPONENT, type SmartComponents } from './components';
export {
  combineEnergy, readEnergyUsage, readCurrentPower, readEmeterData, type SmartEnergyReading, type EnergySources,
} from './energy';
export { collectPages, pagedListKey } from './paging';
export { SMART_ERROR_CODES, describeSmartErrorCode, type SmartErrorCategory, type SmartErrorCodeInfo } from './error-codes';
export {
  SmartDeviceError, SmartUnknownMethodError, SmartParamsError, SmartRetriableError, SmartAuthenticationError,
  SmartTransportMismatchError, smartErrorFor,
} from './errors';
