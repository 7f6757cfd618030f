import type { KafkaProducer } from '@kingbridge/kafka';
import type {
  DeadLetterFilter,
  DeadLetterRepository,
  StoredDeadLetter,
} from './dead-letter.repository';

/** Header on a replayed message: the dead letter's id. */
export const HEADER_REPLAY_OF = 'kb-replay-of';
/** Header on a replayed `changed_after_write` dead letter: the operator applies the change (`update`). */
export const HEADER_APPLY_CHANGE = 'kb-apply-change';

/**
 * Re-publishes the selected dead letters' original key, value and headers to
 * their original topic, then marks them replayed. The sink's ledger still
 * guarantees a document is written once (a replay of something already
 * written is skipped as `duplicate_skipped`); a replayed `changed_after_write`
 * dead letter updates the written document in place (where the target can).
 */
export async function replayDeadLetters(
  repository: DeadLetterRepository,
  producer: KafkaProducer,
  filter: DeadLetterFilter,
  options: { readonly dryRun?: boolean } = {},
): Promise<StoredDeadLetter[]> {
  const selected = await repository.list({
    ...filter,
    status: filter.status ?? 'open',
  });
  const replayable = selected.filter((d) => d.value !== null);
  if (options.dryRun || replayable.length === 0) return replayable;
  const byTopic = new Map<string, StoredDeadLetter[]>();
  for (const d of replayable)
    (byTopic.get(d.topic) ?? byTopic.set(d.topic, []).get(d.topic))?.push(d);
  for (const [topic, list] of byTopic) {
    await producer.send(
      topic,
      list.map((d) => ({
        key: d.key,
        value: d.value,
        headers: {
          ...d.headers,
          [HEADER_REPLAY_OF]: d.id,
          // Replaying a change after write updates the written document in place.
          ...(d.errorClass === 'changed_after_write'
            ? { [HEADER_APPLY_CHANGE]: 'update' }
            : {}),
        },
      })),
    );
    await repository.markReplayed(list.map((d) => d.id));
  }
  return replayable;
}
