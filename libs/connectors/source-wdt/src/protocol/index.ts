// The WDT wire, once: what the client sends and the simulator checks (constants, signatures, answers).
export * from './wdt.constants';
export * from './wdt-sign.util';
export * from './wdt.schemas';
/** 企业奇门 routes WDT calls with the TOP signature. */
export { topSign as qimenSign } from '@kingbridge/source-kit';
