/**
 * The image's HEALTHCHECK: GET HEALTHCHECK_URL (default
 * http://127.0.0.1:$HTTP_PORT/health/live), exit 0 on 2xx. A container
 * without HTTP_PORT (a one-shot job such as migrate) is healthy while it runs.
 */
import { loadConfigOrExit } from '@kingbridge/config';
import { z } from 'zod';

const config = loadConfigOrExit(
  z.object({
    HEALTHCHECK_URL: z.string().url().optional(),
    HTTP_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  }),
);

const url =
  config.HEALTHCHECK_URL ??
  (config.HTTP_PORT
    ? `http://127.0.0.1:${config.HTTP_PORT}/health/live`
    : undefined);

if (url === undefined) process.exit(0);
fetch(url, { signal: AbortSignal.timeout(4000) }).then(
  (res) => process.exit(res.ok ? 0 : 1),
  () => process.exit(1),
);
