import { sqlMigration } from '@kingbridge/persistence';

/**
 * `merge_watermark.event_times`: each merge flow's event time per source partition (`<topic>/<partition>` →
 * highest event time read and wall clock of the last read, plus when the flow last resumed reading). The flow's
 * effective watermark is the minimum over the active partitions, so a partition replaying history is not overtaken
 * by a faster one. On the row every merge of the flow already locks: a partition handed over to another instance
 * keeps its event time. `watermark_ms` stays the highest event time read.
 */
export const MergePartitionEventTime1764800000000 = sqlMigration(
  'MergePartitionEventTime1764800000000',
  {
    up: [
      `ALTER TABLE transform.merge_watermark ADD COLUMN event_times jsonb NOT NULL DEFAULT '{}'::jsonb`,
    ],
    down: ['ALTER TABLE transform.merge_watermark DROP COLUMN event_times'],
  },
);
