import { allTopics } from '@kingbridge/source-registry';
import { integrationGlobalSetup } from '@kingbridge/testing';
import { migrateAll } from '../migrate';

// vitest globalSetup of the integration project: the shared test setup, with every service's migrations and every
// topic of the registered source streams.
export default integrationGlobalSetup({
  migrate: (url) => migrateAll(url),
  topics: allTopics(),
});
