import { loadConfigOrExit } from '@kingbridge/config';
import { createLogger } from '@kingbridge/observability';
import {
  ALERT_WEBHOOK_SERVICE,
  alertWebhookConfigSchema,
} from './alert-webhook.config';
import { createAlertWebhookServer } from './alert-webhook.server';

/** Alertmanager -> DingTalk / WeCom robots (Chinese messages with the flow and the runbook link). */
function main(): void {
  const config = loadConfigOrExit(alertWebhookConfigSchema);
  const logger = createLogger(ALERT_WEBHOOK_SERVICE, config.LOG_LEVEL);
  const server = createAlertWebhookServer(config, logger);
  server.listen(config.HTTP_PORT, config.HTTP_HOST, () => {
    const address = server.address();
    logger.info(
      {
        port:
          typeof address === 'object' && address
            ? address.port
            : config.HTTP_PORT,
        dingtalk: Boolean(config.DINGTALK_WEBHOOK_URL),
        wecom: Boolean(config.WECOM_WEBHOOK_URL),
      },
      'http listening',
    );
  });
  const stop = (): void => {
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main();
