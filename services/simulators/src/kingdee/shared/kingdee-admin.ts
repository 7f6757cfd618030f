import type { z } from 'zod';
import type { AdminRoute, SimRequest } from '../../common';
import type { DocumentStore, StoredDocument } from './document-store';
import { masterDataPostRoute } from './kingdee-server';

/** What a Kingdee simulator shows and changes under `/__admin/` besides the built-in routes. */
export interface KingdeeAdminSpec<TBody, S extends z.ZodType> {
  readonly documents: DocumentStore<TBody>;
  /** The one form of the platform (JDY, WISE); absent: `?formId=` filters (K3Cloud). */
  readonly formId?: string;
  /** The platform's fields of a stored bill in `GET /documents` (they may replace the common ones). */
  view(doc: StoredDocument<TBody>): Record<string, unknown>;
  /** `GET /master-data`. */
  masterData(req: SimRequest): unknown;
  /** `POST /master-data`: the body schema, what an empty body stands for, and the change. */
  readonly masterUpsert: {
    readonly schema: S;
    readonly whenEmpty: unknown;
    apply(body: z.output<S>): unknown;
  };
  /** `POST /session-expire-now`: ends every session / token, returns how many. */
  expireSessions(): number;
}

/** `GET /documents`, `GET|POST /master-data`, `POST /session-expire-now` of every Kingdee simulator. */
export function kingdeeAdminRoutes<TBody, S extends z.ZodType>(
  spec: KingdeeAdminSpec<TBody, S>,
): AdminRoute[] {
  return [
    {
      method: 'GET',
      path: '/documents',
      handle: (req) =>
        spec.documents
          .list({
            formId: spec.formId ?? req.query.get('formId') ?? undefined,
            billNo: req.query.get('billNo') ?? undefined,
          })
          .map((doc) => ({
            formId: doc.formId,
            id: doc.id,
            billNo: doc.billNo,
            writeCount: doc.writeCount,
            // Creates of this bill number: a save over the bill (an update) is a write, not a second document.
            createCount: doc.history.filter((h) => h.op === 'create').length,
            duplicateRejections: doc.duplicateRejections,
            firstWrittenAt: doc.firstWrittenAt,
            lastWrittenAt: doc.lastWrittenAt,
            ...spec.view(doc),
          })),
    },
    {
      method: 'GET',
      path: '/master-data',
      handle: (req) => spec.masterData(req),
    },
    masterDataPostRoute(
      spec.masterUpsert.schema,
      spec.masterUpsert.whenEmpty,
      (body) => spec.masterUpsert.apply(body),
    ),
    {
      method: 'POST',
      path: '/session-expire-now',
      handle: () => ({ expired: spec.expireSessions() }),
    },
  ];
}
