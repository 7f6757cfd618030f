/** What the deploy checks and the bench reuse of the sink: its config schema and its runtime (driven in-process). */
export { sinkKingdeeConfigSchema } from './sink-kingdee.config';
export { SinkRuntime, sinkTopics } from './sink/sink-runtime';
/** The dead-letter store behind `kingbridge dlq list|replay sink` (and this service's `/admin/*`). */
export { SinkAdminService } from './admin/sink-admin.service';
export type {
  DeadLetterFilter,
  StoredDeadLetter,
} from './dead-letters/dead-letter.repository';
/** K3Cloud as the sink reaches it, for `kingbridge reconcile --kingdee api`. */
export { k3cloudClientFromEnv } from './k3cloud-reader';
