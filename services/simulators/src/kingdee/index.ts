export {
  startK3CloudSimulator,
  k3CloudSimulatorOptionsSchema,
} from './k3cloud/k3cloud.simulator';
export type {
  K3CloudSimulator,
  K3CloudSimulatorOptions,
} from './k3cloud/k3cloud.simulator';
export { K3_DEFAULT_MASTER_DATA, K3_FORMS } from './k3cloud/k3cloud-forms';
export {
  startJdySimulator,
  jdySimulatorOptionsSchema,
  JDY_ERRCODE,
} from './jdy/jdy.simulator';
export type { JdySimulator, JdySimulatorOptions } from './jdy/jdy.simulator';
export {
  startK3WiseSimulator,
  k3WiseSimulatorOptionsSchema,
} from './k3wise/k3wise.simulator';
export type {
  K3WiseSimulator,
  K3WiseSimulatorOptions,
} from './k3wise/k3wise.simulator';
export { faultConfigSchema, latencySchema } from '../common/fault.schema';
export type { FaultConfigInput as KingdeeFaultConfigInput } from '../common/fault.schema';
export { KINGDEE_SIMULATORS } from './kingdee.registrations';
