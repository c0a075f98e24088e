/**
 * TDDP (TP-Link Device Debug Protocol) numbers. Names follow the public
 * descriptions: patent CN102096654A and softScheck's tddp-client notes.
 */

/** UDP port the device listens on. */
export const TDDP_PORT = 1040;
/** UDP port the device sends its reply to, whatever port the request came from. */
export const TDDP_REPLY_PORT = 61000;

/** Version 1 has no digest and no encryption (and no authentication at all). */
export const TDDP_V1 = 1;
/** Version 2 adds an MD5 digest and DES-encrypts the data with the admin credentials. */
export const TDDP_V2 = 2;
export type TddpVersion = typeof TDDP_V1 | typeof TDDP_V2;

export const V1_HEADER_LENGTH = 12;
export const V2_HEADER_LENGTH = 28;
export const DIGEST_OFFSET = 12;
export const DIGEST_LENGTH = 16;

/** The largest UDP payload over IPv4; no TDDP packet can be longer. */
export const MAX_DATAGRAM_LENGTH = 65507;

/** Packet type (header byte 1). */
export const TddpType = {
  /** SET_USR_CFG: write configuration. */
  SET_CONFIG: 0x01,
  /** GET_SYS_INF: read configuration. */
  GET_SYSTEM_INFO: 0x02,
  /** CMD_SPE_OPR: special command, selected by the subtype. */
  SPECIAL_COMMAND: 0x03,
  /** HEART_BEAT. */
  HEARTBEAT: 0x04,
} as const;

/** Header byte 2. */
export const TddpCode = {
  REQUEST: 0x01,
  REPLY: 0x02,
} as const;

/** Reply status (header byte 3). Only 0 and 9 are named in public sources. */
export const TddpStatus = {
  OK: 0x00,
  /** Seen from a real device answering a subtype it does not implement. */
  UNSUPPORTED: 0x03,
  ERROR: 0x09,
} as const;

/**
 * Special-command subtypes observed on real devices. Their meaning differs
 * between models (routers vs. smart plugs), hence the two groups.
 */
export const TddpSubtype = {
  /** HS110: product string ("ABCD0110"); Archer C9: 8 binary bytes. */
  PRODUCT: 0x0a,
  /** Archer C9: physical WAN link ("wan_ph_link 1 0" = down). */
  WAN_PHYSICAL_LINK: 0x0e,
  /** Archer C9: logical WAN link ("wan_logic_link 1 0"). */
  WAN_LOGICAL_LINK: 0x0f,
  /** HS110: device id. */
  DEVICE_ID: 0x12,
  /** HS110: hardware id. */
  HARDWARE_ID: 0x14,
} as const;
