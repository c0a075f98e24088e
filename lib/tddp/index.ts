/** TDDP (TP-Link Device Debug Protocol): packets, crypto, client and typed errors. */
export * from './constants';
export {
  computeDigest, decodePacket, encodePacket, headerLength, maxDataLength, peekIdentity,
} from './packet';
export type {
  DecodeOptions, TddpHeader, TddpIdentity, TddpPacket, TddpPacketFields, TddpParseFailure,
  TddpParseFailureReason, TddpParseResult,
} from './packet';
export {
  decryptBlocks, decryptData, deriveKey, DES_BLOCK_LENGTH, encryptData, looksCleanlyDecrypted, stripZeroPadding,
} from './crypto';
export * from './errors';
export { TddpClient } from './client';
export type { TddpClientEvents, TddpClientOptions, TddpRequest } from './client';
export type { TddpResponse } from './reply';
