/**
 * The device simulator: Kasa Smart Home devices on TCP/UDP, with faults.
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
