/** What the deploy checks and the bench reuse of the sink: its config schema and its runtime (driven in-process). */
export { sinkKingdeeConfigSchema } from './sink-kingdee.config';
export { SinkRuntime, sinkTopics } from './sink/sink-runtime';
