import { z } from 'zod';

/** A value a platform sends as a string or a number (ids, codes), read as its string. */
export const looseString = z.union([z.string(), z.number()]).transform(String);
