// The Jackyun wire, once: what the client sends and the simulator checks (constants, signatures, answers).
export * from './jackyun.constants';
export * from './jackyun-sign.util';
export * from './jackyun.schemas';
/** Qimen (奇门) routes Jackyun calls with the TOP signature (`sign`; `jkysign` is `jackyunSign`). */
export { topSign as qimenSign } from '@kingbridge/source-kit';
