/**
 * The device layer: connect() to a device of any kind, one state model,
 * features by what the device has. How the folder stacks: docs/architecture.md.
 */
export { connect, openDevice, type ConnectOptions } from './connect';
export { ClassicFamily } from './classic/family';
export { SmartFamily } from './smart/family';
export { DEVICE_TRANSPORTS, type DeviceTransport } from './transport-choice';
export { Device, type DeviceEvents, type RawOptions } from './device';
export { DeviceConnection, type DeviceConnectionEvents } from './connection';
export { DeviceInputError, type DeviceInputReason } from './errors';
export { findOutlet, fullChildId } from './outlets';
export { classicState, classicKind } from './state/classic';
export { smartState, smartKind, type SmartReading } from './state/smart';
export type { FamilyAdapter, FamilyFeatures, FamilyRead, FeatureContext, EnergyMeter, RawRequestOptions } from './family';
export * from './types';
