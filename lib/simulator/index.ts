/**
 * The device simulator: Kasa Smart Home devices on TCP/UDP, KLAP and TDDP,
 * SMART devices (Tapo, new Kasa) over AES or KLAP, with faults; device
 * dumps (tplink-smartplug --dump) served as devices.
 * How its files stack and what a model file holds: lib/simulator/README.md.
 */
export { startDevice, DEFAULT_HOST, type RunningDevice, type StartDeviceOptions } from './device-server';
export { startFleet, fleetLayout, parseFleetFile, addIPv4, type RunningFleet, type StartFleetOptions, type BroadcastListenerOptions, type FleetLayoutOptions } from './fleet';
export { SimulatedDevice, type SimulatedDeviceOptions, type Clock } from './simulated-device';
export { FAULT_KINDS, parseFault, type FaultSpec, type FaultKind } from './faults';
export {
  MODELS, MODEL_NAMES, DEVICE_KINDS, resolveModel, type ModelName, type ModelSpec, type DeviceKind, type EmeterUnits, type LightSpec, type DimmerSpec,
} from './models';
export { SimulatorError } from './sockets';
export { startKlapDevice, type KlapDeviceOptions, type RunningKlapDevice } from './klap-device';
export { startTddpResponder } from './tddp-responder';
export { startSmartDevice, discoveryResult, type RunningSmartDevice, type StartSmartDeviceOptions } from './smart/server';
export { SmartSimulatedDevice, type SmartSimulatedDeviceOptions } from './smart/device';
export { smartModelNames, findSmartModel, resolveSmartModel, type SmartModelSpec } from './smart/models';
export { startAesServer, type AesServer, type AesServerOptions } from './smart/aes-server';
export { startHostileDevice, type HostileDeviceOptions, type RunningHostileDevice } from './hostile-device';
export { HOSTILE_MODES, isHostileMode, type HostileMode } from './hostile-replies';
export { startFixture, loadFixture, type StartFixtureOptions, type RunningFixture } from './fixture/serve';
export { ClassicFixtureDevice, type ClassicFixtureOptions } from './fixture/classic-device';
export { SmartFixtureDevice, type SmartFixtureOptions } from './fixture/smart-device';
