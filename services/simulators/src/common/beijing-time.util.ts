// Beijing time has one home (@kingbridge/pipeline-core): the simulators speak the same wall clock as the clients.
export {
  formatBeijing,
  formatBeijingDate,
  parseBeijing,
} from '@kingbridge/pipeline-core';
