import { z } from 'zod';
import type { AdminRoute } from '../shared/kingdee-server';
import { kingdeeAdminRoutes } from '../shared/kingdee-admin';
import { findK3Form } from './k3cloud-forms';
import type { K3CloudContext } from './k3cloud-router';

const masterUpsertSchema = z.object({
  formId: z.string().min(1),
  records: z
    .array(
      z.object({
        number: z.string().min(1),
        name: z.string(),
        attrs: z.record(z.string(), z.unknown()).optional(),
        status: z.enum(['A', 'B', 'C']).optional(),
        forbidden: z.boolean().optional(),
      }),
    )
    .default([]),
  remove: z.array(z.string()).default([]),
});

/** `/__admin/` of K3Cloud: documents by form, master data by form id, session expiry. */
export function k3CloudAdminRoutes(ctx: K3CloudContext): AdminRoute[] {
  const { masterData } = ctx.bills;
  return kingdeeAdminRoutes({
    documents: ctx.bills.documents,
    view: (doc) => ({
      status: doc.status,
      unresolvedRefs: doc.body.unresolvedRefs,
      model: doc.body.model,
    }),
    masterData: (req) => masterData.list(req.query.get('formId') ?? undefined),
    masterUpsert: {
      schema: masterUpsertSchema,
      whenEmpty: undefined,
      apply: (body) => {
        const form = findK3Form(body.formId);
        const formId = form?.formId ?? body.formId;
        const upserted = body.records.map((record) =>
          masterData.upsert(formId, record),
        );
        const removed = body.remove.filter((number) =>
          masterData.remove(formId, number),
        );
        return { upserted, removed };
      },
    },
    expireSessions: () => ctx.sessions.expireAll(),
  });
}
