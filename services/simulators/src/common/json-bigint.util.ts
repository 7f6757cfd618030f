// Big-integer JSON has one home (@kingbridge/pipeline-core, over lossless-json): the simulators write
// 64-bit ids as bare integers, the way Java/Go servers do, with the same library the clients read them with.
export { stringifyJsonLossless as stringifyWithBigInt } from '@kingbridge/pipeline-core';
