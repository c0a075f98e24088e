/**
 * Every SMART `error_code` we know, in one place, with what it means and
 * how a client should treat it. The codes and their names are facts from
 * the public reverse engineering (python-kasa's SmartErrorCode and the
 * tp-link-tapo-connect messages); the meanings are ours, in plain words.
 * The categories decide which typed error a code becomes (errors.ts) and
 * whether the transport opens a new session before trying again.
 */

/**
 * - `auth`: the credentials or the session were refused; log in again, and
 *   AuthenticationError when no account is accepted.
 * - `session`: the session is gone (expired, unknown); a new handshake and
 *   one more try, because the device did not run the request.
 * - `retriable`: a transient failure on the device's side; the caller may try again.
 * - `unknown-method`: the device does not have this method (a feature it lacks).
 * - `params`: the method exists but the parameters were refused.
 * - `transport`: the request never reached the device's method handler
 *   (wrong protocol, malformed envelope).
 * - `device`: the method ran and failed.
 */
export type SmartErrorCategory = 'auth' | 'session' | 'retriable' | 'unknown-method' | 'params' | 'transport' | 'device';

export interface SmartErrorCodeInfo {
  readonly code: number;
  readonly name: string;
  readonly meaning: string;
  readonly category: SmartErrorCategory;
}

const TABLE: ReadonlyArray<readonly [number, string, SmartErrorCategory, string]> = [
  // Transport and session errors (positive codes)
  [9999, 'SESSION_TIMEOUT_ERROR', 'session', 'the session expired or is unknown to the device'],
  [1200, 'MULTI_REQUEST_FAILED_ERROR', 'retriable', 'a multipleRequest failed as a whole'],
  [1112, 'HTTP_TRANSPORT_FAILED_ERROR', 'retriable', 'the device could not handle the HTTP request'],
  [1111, 'LOGIN_FAILED_ERROR', 'auth', 'login failed'],
  [1100, 'HAND_SHAKE_FAILED_ERROR', 'auth', 'the handshake failed'],
  [1003, 'TRANSPORT_UNKNOWN_CREDENTIALS_ERROR', 'transport', 'the device does not take this transport (a KLAP-only device answers a plain /app request so)'],
  [1002, 'TRANSPORT_NOT_AVAILABLE_ERROR', 'retriable', 'the transport is not available right now'],
  [1001, 'CMD_COMMAND_CANCEL_ERROR', 'device', 'the command was cancelled'],
  [1000, 'NULL_TRANSPORT_ERROR', 'transport', 'no transport'],
  // Errors common to all methods
  [-1, 'COMMON_FAILED_ERROR', 'device', 'the method failed'],
  [-1001, 'UNSPECIFIC_ERROR', 'retriable', 'unspecified failure'],
  [-1002, 'UNKNOWN_METHOD_ERROR', 'unknown-method', 'the device has no such method'],
  [-1003, 'JSON_DECODE_FAIL_ERROR', 'transport', 'the device could not read the request (also how some firmware refuses multipleRequest)'],
  [-1004, 'JSON_ENCODE_FAIL_ERROR', 'device', 'the device could not write its reply'],
  [-1005, 'AES_DECODE_FAIL_ERROR', 'auth', 'the device could not decrypt the request (wrong session key)'],
  [-1006, 'REQUEST_LEN_ERROR_ERROR', 'params', 'the request is too long'],
  [-1007, 'CLOUD_FAILED_ERROR', 'device', 'a cloud operation failed'],
  [-1008, 'PARAMS_ERROR', 'params', 'invalid parameters'],
  [-1010, 'INVALID_PUBLIC_KEY_ERROR', 'transport', 'the handshake key was refused (length or format)'],
  [-1012, 'INVALID_TERMINAL_UUID_ERROR', 'params', 'the request lacks a valid terminal_uuid'],
  [-1101, 'SESSION_PARAM_ERROR', 'params', 'invalid session parameters'],
  // Errors of particular methods
  [-1201, 'QUICK_SETUP_ERROR', 'device', 'quick setup failed'],
  [-1301, 'DEVICE_ERROR', 'retriable', 'the device is busy (also reported when requests come too fast)'],
  [-1302, 'DEVICE_NEXT_EVENT_ERROR', 'device', 'no next event'],
  [-1401, 'FIRMWARE_ERROR', 'device', 'firmware operation failed'],
  [-1402, 'FIRMWARE_VER_ERROR_ERROR', 'device', 'wrong firmware version'],
  [-1501, 'LOGIN_ERROR', 'auth', 'wrong e-mail or password'],
  [-1601, 'TIME_ERROR', 'device', 'time operation failed'],
  [-1602, 'TIME_SYS_ERROR', 'device', 'system time error'],
  [-1603, 'TIME_SAVE_ERROR', 'device', 'the time could not be saved'],
  [-1701, 'WIRELESS_ERROR', 'device', 'Wi-Fi operation failed'],
  [-1702, 'WIRELESS_UNSUPPORTED_ERROR', 'device', 'Wi-Fi setting not supported'],
  [-1801, 'SCHEDULE_ERROR', 'device', 'schedule operation failed'],
  [-1802, 'SCHEDULE_FULL_ERROR', 'device', 'no room for another schedule rule'],
  [-1803, 'SCHEDULE_CONFLICT_ERROR', 'device', 'the schedule rule conflicts with another'],
  [-1804, 'SCHEDULE_SAVE_ERROR', 'device', 'the schedule could not be saved'],
  [-1805, 'SCHEDULE_INDEX_ERROR', 'params', 'no schedule rule at that index'],
  [-1901, 'COUNTDOWN_ERROR', 'device', 'countdown operation failed'],
  [-1902, 'COUNTDOWN_CONFLICT_ERROR', 'device', 'the countdown conflicts with another rule'],
  [-1903, 'COUNTDOWN_SAVE_ERROR', 'device', 'the countdown could not be saved'],
  [-2001, 'ANTITHEFT_ERROR', 'device', 'away-mode operation failed'],
  [-2002, 'ANTITHEFT_CONFLICT_ERROR', 'device', 'the away-mode rule conflicts with another'],
  [-2003, 'ANTITHEFT_SAVE_ERROR', 'device', 'the away-mode rule could not be saved'],
  [-2101, 'ACCOUNT_ERROR', 'device', 'account operation failed'],
  [-2201, 'STAT_ERROR', 'device', 'statistics operation failed'],
  [-2202, 'STAT_SAVE_ERROR', 'device', 'statistics could not be saved'],
  [-2301, 'DST_ERROR', 'device', 'daylight-saving operation failed'],
  [-2302, 'DST_SAVE_ERROR', 'device', 'the daylight-saving setting could not be saved'],
  [-3001, 'VACUUM_BATTERY_LOW', 'device', 'battery too low'],
  [-40101, 'SYSTEM_ERROR', 'device', 'system error'],
  [-40106, 'UNSUPPORTED_METHOD', 'unknown-method', 'the method is not supported'],
  [-40209, 'INVALID_ARGUMENTS', 'params', 'invalid arguments'],
  [-40210, 'PROTOCOL_FORMAT_ERROR', 'transport', 'the request is not in the expected format'],
  [-40401, 'SESSION_EXPIRED', 'session', 'the session expired'],
  [-40404, 'DEVICE_BLOCKED', 'device', 'too many failed logins: the device blocks logins for a while'],
  [-40411, 'BAD_USERNAME', 'auth', 'unknown user name'],
  [-40412, 'HOMEKIT_LOGIN_FAIL', 'auth', 'login failed'],
  [-40413, 'INVALID_NONCE', 'retriable', 'the login nonce was not accepted'],
  [40108, 'TIMEOUT_ERROR', 'retriable', 'the device timed out'],
];

const BY_CODE: ReadonlyMap<number, SmartErrorCodeInfo> = new Map(
  TABLE.map(([code, name, category, meaning]) => [code, Object.freeze({ code, name, category, meaning })]),
);

export const SMART_ERROR_CODES: readonly SmartErrorCodeInfo[] = [...BY_CODE.values()];

export const SUCCESS = 0;
export const SESSION_TIMEOUT = 9999;
export const LOGIN_ERROR = -1501;
export const UNKNOWN_METHOD = -1002;
export const JSON_DECODE_FAIL = -1003;
export const TRANSPORT_UNKNOWN_CREDENTIALS = 1003;

/** What a code means; codes not in the table are device errors of unknown meaning. */
export function describeSmartErrorCode(code: number): SmartErrorCodeInfo {
  return BY_CODE.get(code) ?? { code, name: 'UNKNOWN_ERROR_CODE', category: 'device', meaning: 'an error code not known to this library' };
}
