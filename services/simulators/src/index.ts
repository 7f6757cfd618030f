/**
 * The simulators' public surface for tests, the local stack, the demo world and the bench: start a simulator
 * in-process, read its seeded data. The service itself starts from main.ts.
 */
export { createPrng } from '@kingbridge/pipeline-core';
export { startWdtSalesOrderFeeder } from './demo/wdt-sales-orders.feeder';
export {
  JDY_DEFAULT_MASTER_DATA,
  startJdySimulator,
  type JdySimulator,
} from './kingdee/jdy/jdy.simulator';
export { K3_DEFAULT_MASTER_DATA } from './kingdee/k3cloud/k3cloud-forms';
export {
  startK3CloudSimulator,
  type K3CloudSimulator,
  type K3CloudSimulatorOptions,
} from './kingdee/k3cloud/k3cloud.simulator';
export {
  startK3WiseSimulator,
  type K3WiseSimulator,
} from './kingdee/k3wise/k3wise.simulator';
export type { SimulatorDeps } from './kingdee/shared/kingdee-server';
export {
  CATALOG_CRM_CUSTOMERS,
  CATALOG_MATERIALS,
} from './kingdee/shared/source-catalog.master';
export { simulatorsConfigSchema } from './simulators.config';
export {
  DISTRIBUTORS,
  GIFTS,
  GOODS,
  NICKS,
  SHOPS,
} from './sources/data/catalog.data';
export { jackyunTradeSpec } from './sources/jackyun/jackyun-data';
export {
  startJackyunSimulator,
  type JackyunOptions,
} from './sources/jackyun/jackyun.simulator';
export {
  JUSHUITAN_BRANCHES,
  JUSHUITAN_WAREHOUSE_IDS,
  jushuitanSkuOf,
} from './sources/jushuitan/jushuitan-data';
export { startJushuitanSimulator } from './sources/jushuitan/jushuitan.simulator';
export type { SourceSimulator } from './sources/source-kit';
export { wdtStockoutSpec } from './sources/wdt/wdt-data';
export { startWdtSimulator } from './sources/wdt/wdt.simulator';
export { xiaomanOrderSpec } from './sources/xiaoman/xiaoman-data';
export {
  startXiaomanSimulator,
  type XiaomanOptions,
} from './sources/xiaoman/xiaoman.simulator';
