import { integrationGlobalSetup } from '@kingbridge/testing';
import { migrateAll } from '../migrate';

// vitest globalSetup of the integration project: the shared test setup, with every service's migrations.
export default integrationGlobalSetup({ migrate: (url) => migrateAll(url) });
