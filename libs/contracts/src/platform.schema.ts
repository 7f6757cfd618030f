import { z } from 'zod';

/** Source platforms Kingbridge pulls from. */
export const sourcePlatformSchema = z.enum([
  'jackyun',
  'wdt',
  'jushuitan',
  'xiaoman',
]);
export type SourcePlatform = z.infer<typeof sourcePlatformSchema>;

/** Kingdee products Kingbridge writes to. */
export const kingdeeTargetSchema = z.enum(['k3cloud', 'jdy', 'k3wise']);
export type KingdeeTarget = z.infer<typeof kingdeeTargetSchema>;

/** Source entities, one raw topic each (platform + entity). */
export const sourceEntitySchema = z.enum([
  'sales-order',
  'sales-channel',
  'stockout-order',
  'inventory-count',
]);
export type SourceEntity = z.infer<typeof sourceEntitySchema>;
