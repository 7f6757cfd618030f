import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { AdminRoute } from '../shared/kingdee-server';
import { kingdeeAdminRoutes } from '../shared/kingdee-admin';
import { FORM } from './jdy-bill.handlers';
import type { JdyContext } from './jdy-gateway';
import { jdyMasterDataSchema } from './jdy-master-data';

const masterUpsert = jdyMasterDataSchema.extend({
  remove: z
    .object({
      materials: z.array(z.string()).default([]),
      units: z.array(z.string()).default([]),
      stocks: z.array(z.string()).default([]),
    })
    .optional(),
});

const upsert = <T extends { id: string }>(target: T[], items: T[]): T[] => [
  ...target.filter((t) => !items.some((i) => i.id === t.id)),
  ...items,
];

/** `/__admin/` of JDY: documents, master data by internal id, token expiry and app-secret rotation. */
export function jdyAdminRoutes(ctx: JdyContext): AdminRoute[] {
  const { master } = ctx;
  return [
    ...kingdeeAdminRoutes({
      documents: ctx.documents,
      formId: FORM,
      view: (doc) => ({
        id: String(doc.id),
        status: doc.status,
        body: doc.body.request,
      }),
      masterData: () => master.current,
      masterUpsert: {
        schema: masterUpsert,
        whenEmpty: {},
        apply: (body) => {
          const removeIds = body.remove;
          const current = master.current;
          master.current = {
            materials: upsert(current.materials, body.materials).filter(
              (m) => !removeIds?.materials.includes(m.id),
            ),
            units: upsert(current.units, body.units).filter(
              (u) => !removeIds?.units.includes(u.id),
            ),
            stocks: upsert(current.stocks, body.stocks).filter(
              (s) => !removeIds?.stocks.includes(s.id),
            ),
          };
          return master.current;
        },
      },
      expireSessions: () => ctx.tokens.expireAll(),
    }),
    {
      method: 'POST',
      path: '/rotate-app-secret',
      handle: () => {
        ctx.appSecret = randomBytes(16).toString('hex');
        return { rotated: true };
      },
    },
  ];
}
