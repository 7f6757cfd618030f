import { z } from 'zod';

/** A value a platform sends as a string or a number (ids, codes), read as its string. */
export const looseString = z.union([z.string(), z.number()]).transform(String);

const answerCode = z.coerce.number().int();
const answerMessage = z.string().nullish();

/**
 * An answer `{code, <messageKey>, …fields}` whose integer `code` says success or failure (its message may be
 * null); other keys pass through.
 */
export function codedAnswerSchema<M extends string, F extends z.ZodRawShape>(
  messageKey: M,
  fields: F,
) {
  const shape = { code: answerCode, [messageKey]: answerMessage, ...fields };
  return z.looseObject(
    shape as { code: typeof answerCode } & Record<M, typeof answerMessage> & F,
  );
}

/** How one record of a platform reads: its schema, the fields of its id and of its modified time, its noun. */
export interface SourceRecordWire {
  readonly schema: z.ZodType<Readonly<Record<string, unknown>>>;
  readonly idField: string;
  /** A Beijing `yyyy-MM-dd HH:mm:ss` time. */
  readonly modifiedField: string;
  /** Noun of a validation message (`invalid <what>: …`); default `response`. */
  readonly what?: string;
}

/** A record with its id (a string or a number) and its modified time (a string), plus `fields`; others pass through. */
export function sourceRecordWire(
  record: {
    readonly id: string;
    readonly modified: string;
    readonly what?: string;
  },
  fields: z.ZodRawShape = {},
): SourceRecordWire {
  return {
    schema: z.looseObject({
      [record.id]: looseString,
      ...fields,
      [record.modified]: z.string(),
    }),
    idField: record.id,
    modifiedField: record.modified,
    what: record.what,
  };
}
