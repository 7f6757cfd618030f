/** What the deploy checks reuse of the alert webhook: its config schema and its server. */
export { alertWebhookConfigSchema } from './alert-webhook.config';
export { createAlertWebhookServer } from './alert-webhook.server';
