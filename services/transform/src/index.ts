/** What operator tools reuse of the transform (reconcile reads the K3Cloud lookups the transform reads). */
export { k3cloudLookupRoutes } from './lookups/k3cloud-lookups';
export { transformConfigSchema } from './transform.config';
