// Beijing time has one home (@kingbridge/pipeline-core); the connectors keep importing it from the kit.
export { chinaTimeToIso, formatChinaTime } from '@kingbridge/pipeline-core';
