import { z } from 'zod';
import { kingdeeTargetSchema } from '../platform.schema';

/**
 * The fields every document topic value begins with (outbound documents and their status events): the version,
 * the flow that made the document, its key and where it is written. One shape, spread into each schema, so the
 * two topics cannot drift apart on what identifies a document.
 */
export const documentIdentityShape = {
  schemaVersion: z.literal(1),
  flow: z.string().min(1),
  documentKey: z.string().min(1),
  target: kingdeeTargetSchema,
  /** K3Cloud form id (SAL_OUTSTOCK, BD_Customer), JDY path, or K3 WISE path. */
  formId: z.string().min(1),
};
