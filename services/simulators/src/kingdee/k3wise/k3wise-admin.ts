import { z } from 'zod';
import type { AdminRoute } from '../shared/kingdee-server';
import { kingdeeAdminRoutes } from '../shared/kingdee-admin';
import { FORM } from './k3wise-bill.handlers';
import {
  k3WiseMasterDataSchema,
  type K3WiseCategory,
} from './k3wise-master-data';
import type { K3WiseContext } from './k3wise-api.handler';

/** `/__admin/` of K/3 WISE: documents (both pages), master data by FNumber, token expiry. */
export function k3WiseAdminRoutes(ctx: K3WiseContext): AdminRoute[] {
  const { master } = ctx;
  const upsertSchema = k3WiseMasterDataSchema.partial().extend({
    remove: z.record(z.string(), z.array(z.string())).optional(),
  });
  return kingdeeAdminRoutes({
    documents: ctx.documents,
    formId: FORM,
    view: (doc) => ({ page1: doc.body.page1, page2: doc.body.page2 }),
    masterData: () => master.current,
    masterUpsert: {
      schema: upsertSchema,
      whenEmpty: {},
      apply: (body) => {
        const next = structuredClone(master.current);
        for (const category of Object.keys(next) as K3WiseCategory[]) {
          const added = body[category] ?? [];
          const removed = body.remove?.[category] ?? [];
          next[category] = [
            ...next[category].filter(
              (i) =>
                !added.some((a) => a.number === i.number) &&
                !removed.includes(i.number),
            ),
            ...added,
          ];
        }
        master.current = next;
        return master.current;
      },
    },
    expireSessions: () => ctx.tokens.expireAll(),
  });
}
