import {
  changeAfterWriteSchema,
  kingdeeTargetSchema,
} from '@kingbridge/contracts';
import {
  SOURCE_STREAMS,
  sourceEntityIdSchema,
  sourcePlatformIdSchema,
} from '@kingbridge/source-registry';
import { z } from 'zod';

/** Condition operators of the seeds' `condition` / `condition_bk` blocks. */
export const conditionLogicSchema = z
  .enum(['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'like', 'not like'])
  .describe(
    'eq ne gt gte lt lte in like "not like"; like without % means "contains"',
  );
export type ConditionLogic = z.infer<typeof conditionLogicSchema>;

const conditionValueSchema = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.array(z.union([z.string(), z.number()])),
]);

/**
 * One condition, as an object (`{field, logic, value}`) or as a short string
 * (`"items.qty < 0"`, `"remark not like 包材"`, `"status in (95,105)"`).
 */
export const conditionSchema = z.union([
  z
    .string()
    .min(3)
    .describe(
      'short form: "<field> <op> <value>", op one of = != > >= < <= eq ne gt gte lt lte in like "not like"',
    ),
  z
    .object({
      field: z
        .string()
        .min(1)
        .describe(
          'dotted path; a path into a detail list (items.qty) filters its rows',
        ),
      logic: conditionLogicSchema,
      value: conditionValueSchema.describe(
        'constant to compare with; for `in` a list or "a,b,c"',
      ),
    })
    .strict(),
]);
export type ConditionInput = z.infer<typeof conditionSchema>;

/** A flat list (all must hold) or a list of groups (any group, all inside it) like `condition_bk`. */
export const conditionsSchema = z
  .union([z.array(conditionSchema), z.array(z.array(conditionSchema))])
  .describe('AND list, or OR-of-AND groups ([[a, b], [c]] = (a and b) or c)');
export type ConditionsInput = z.infer<typeof conditionsSchema>;

export const parserSchema = z
  .union([
    z.literal('ConvertObjectParser'),
    z
      .object({
        name: z
          .literal('ConvertObjectParser')
          .describe('wraps the value as {<params>: value}'),
        params: z
          .string()
          .min(1)
          .default('FNumber')
          .describe('key of the wrapper object (FNumber, FNUMBER, FNAME, ...)'),
      })
      .strict(),
  ])
  .describe(
    'value parser applied last; ConvertObjectParser wraps a base-data number as {FNumber: v}',
  );

/** Field types; `array` + `value: <list>` yields one row per detail row, `object` nests children. */
export const fieldTypeSchema = z.enum([
  'string',
  'number',
  'boolean',
  'date',
  'datetime',
  'object',
  'array',
  'any',
]);

export interface MappingFieldInput {
  field: string;
  label?: string | undefined;
  describe?: string | undefined;
  type?: z.infer<typeof fieldTypeSchema> | undefined;
  value?: string | number | boolean | null | undefined;
  format?: string | undefined;
  parser?: z.infer<typeof parserSchema> | undefined;
  optional?: boolean | undefined;
  default?: string | number | boolean | null | undefined;
  children?: MappingFieldInput[] | undefined;
}

/**
 * One target field (the seeds' `request[]` entries). `value` is a constant, a
 * `{field}` / `{{list.field}}` template, `_function <expression>` or
 * `_findCollection find <col> from <table> where <key>=<ref> [and ...]`.
 */
export const mappingFieldSchema: z.ZodType<MappingFieldInput> = z.lazy(() =>
  z
    .object({
      field: z
        .string()
        .min(1)
        .describe(
          'target field key (FBillNo, FEntity, Page1, material_entity, ...)',
        ),
      label: z
        .string()
        .optional()
        .describe('human label (中文名) from the seed'),
      describe: z.string().optional().describe('free-text note'),
      type: fieldTypeSchema
        .optional()
        .describe(
          'output type; string/number/boolean coerce, date/datetime format',
        ),
      value: z
        .union([z.string(), z.number(), z.boolean(), z.null()])
        .optional()
        .describe(
          'constant, template, _function or _findCollection; for arrays: the detail list path',
        ),
      format: z
        .string()
        .optional()
        .describe(
          'date pattern, e.g. yyyy-MM-dd or yyyy-MM-dd HH:mm:ss (plan time zone)',
        ),
      parser: parserSchema.optional(),
      optional: z
        .boolean()
        .optional()
        .describe(
          'when the value is missing, leave the field out instead of failing',
        ),
      default: z
        .union([z.string(), z.number(), z.boolean(), z.null()])
        .optional()
        .describe('used when the value is missing'),
      children: z
        .array(mappingFieldSchema)
        .optional()
        .describe('fields of an object, or of each row of an array'),
    })
    .strict(),
);

/**
 * A key the seeds' platform has but Kingbridge does not act on: refused at
 * validation with the reason, so no plan carries a setting that does nothing.
 */
function refusedKey(reason: string) {
  return z
    .unknown()
    .optional()
    .superRefine((value, ctx) => {
      if (value !== undefined)
        ctx.addIssue({ code: 'custom', message: `not supported: ${reason}` });
    })
    .describe(`refused: ${reason}`);
}

/**
 * The API each connector pulls, per `platform/entity` (`SOURCE_STREAMS` of the contracts): a plan's `source.api`,
 * `source.method` and `source.idField` must name them (they document the pull; the connector does not take them
 * from the plan, and the raw record's sourceId is that id).
 */
export const SOURCE_APIS: Readonly<
  Record<
    string,
    {
      readonly api: string;
      readonly method: 'GET' | 'POST';
      readonly idField: string;
    }
  >
> = Object.fromEntries(
  SOURCE_STREAMS.map((s) => [
    `${s.platform}/${s.entity}`,
    { api: s.api, method: s.method, idField: s.idField },
  ]),
);

/** Params the connector fills itself: an exit query reads the main query's window and pages. */
const CONNECTOR_PARAMS_RE =
  /^(page_?(no|index|size)|pageIndex|pageSize|start_index|count|scrollId)$/;

/**
 * What happens to a record that no longer passes the plan's filters (`source.filters`, `filters`) after a
 * version of it may have been written: per-record flows withdraw it (an outbound document with `withdrawn`,
 * which the sink checks against its ledger); merged flows take it out of its window with a correction.
 */
export const filterExitSchema = z
  .object({
    action: z
      .enum(['withdraw', 'drop'])
      .default('withdraw')
      .describe(
        'per-record flows: withdraw = an outbound document marked withdrawn (same documentKey and billNo, mapped as if it ' +
          'still passed) that the sink applies target.changeAfterWrite to when it wrote the document and ignores otherwise; ' +
          'drop = dropped like any filtered record (nothing reaches the sink). Default withdraw',
      ),
    when: conditionsSchema
      .optional()
      .describe(
        'per-record flows: only a record failing the filters that matches these is withdrawn (status = 5), any other is ' +
          'dropped: bounds the withdrawals to records that may have been written; absent: every record failing the filters',
      ),
    query: z
      .record(
        z.string().regex(/^[A-Za-z_]\w*$/),
        z.union([
          z.string().regex(/^[^{}]*$/, 'no templates'),
          z.number(),
          z.boolean(),
        ]),
      )
      .refine((q) => Object.keys(q).length > 0, 'name at least one param')
      .optional()
      .describe(
        'a second query on each incremental window (and remediation, backfill, reconciliation) that fetches what leaves ' +
          "the filter: the main query's params with these replaced (WDT status: '5' = 已取消, by modified time); the " +
          "window's checkpoint moves only after both queries' records are acked",
      ),
  })
  .strict()
  .describe(
    'a record that leaves the filters after it may have been written: how it is fetched (query) and what it becomes',
  );

export const sourceSchema = z
  .object({
    platform: sourcePlatformIdSchema.describe('source platform'),
    entity: sourceEntityIdSchema.describe(
      'source entity; with platform it names the raw topic',
    ),
    stream: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]*$/)
      .describe(
        'stream id carried in raw records (platform + query), e.g. jackyun.sales-order.retail-shipped',
      ),
    api: z
      .string()
      .min(1)
      .describe(
        'source API method or path, e.g. jackyun.tradenotsensitiveinfos.list.get',
      ),
    method: z
      .enum(['GET', 'POST'])
      .default('POST')
      .describe('HTTP method of the source API'),
    idField: z
      .string()
      .min(1)
      .describe("path of the record id in the payload (the seeds' `id`)"),
    numberField: refusedKey(
      "a record's number is the plan's billNo template (e.g. billNo: '{order_no}')",
    ),
    idCheck: refusedKey(
      'records are deduplicated by source id + content hash in the connector; the duplicate check against Kingdee is target.idCheck',
    ),
    aliases: z
      .record(
        z.string().regex(/^[\p{L}\p{N}_$]+$/u),
        z.string().regex(/^[\p{L}\p{N}_$]+(\.[\p{L}\p{N}_$]+)*$/u),
      )
      .default({})
      .describe(
        "extra top-level names for payload paths, as the seeds' platform spells them (new_customerid: company.company_id); the wire name stays too",
      ),
    flattenLists: z
      .array(z.string().regex(/^[\p{L}\p{N}_$]+$/u))
      .default([])
      .describe(
        "detail lists whose rows also carry every field as <list>_<field> (the platform's list export: product_list_count); the wire names stay too",
      ),
    params: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
      .default({})
      .describe(
        'fixed request params; {{LAST_SYNC_TIME|datetime}} / {{CURRENT_TIME|datetime}} are filled by the connector',
      ),
    filters: conditionsSchema
      .default([])
      .describe(
        'source-side filters (tradeStatus >= 6000, status = 95, companyCode = DSGL); sent as params when the API supports it, and enforced again by the transform',
      ),
    filterExit: filterExitSchema.optional(),
    pageSize: z
      .number()
      .int()
      .positive()
      .max(1000)
      .describe('records per page requested from the source'),
    schedule: z
      .object({
        cron: refusedKey(
          'incremental pulls run every intervalSeconds (remediation.cron schedules the re-scan)',
        ),
        intervalSeconds: z
          .number()
          .int()
          .positive()
          .optional()
          .describe('seconds between incremental pulls'),
      })
      .strict()
      .default({ intervalSeconds: 60 })
      .describe('incremental sync schedule'),
    remediation: z
      .object({
        cron: z
          .string()
          .min(1)
          .default('0 0 * * *')
          .describe(
            'remediation scan schedule (遗漏补救), default daily 00:00',
          ),
        lookbackDays: z
          .number()
          .int()
          .positive()
          .max(30)
          .default(7)
          .describe('days re-queried by each scan'),
      })
      .strict()
      .optional()
      .describe(
        're-query of recent days to catch records missed by incremental pulls',
      ),
    normalizeKeys: z
      .enum(['none', 'camelCase'])
      .default('none')
      .describe(
        'camelCase lower-cases the first letter of every payload key (Jackyun returns PascalCase on some gateways)',
      ),
  })
  .strict()
  .superRefine((source, ctx) => {
    for (const key of Object.keys(source.filterExit?.query ?? {})) {
      if (CONNECTOR_PARAMS_RE.test(key))
        ctx.addIssue({
          code: 'custom',
          path: ['filterExit', 'query', key],
          message: 'paging params are filled by the connector',
        });
      const v = source.params[key];
      if (typeof v === 'string' && v.includes('{{'))
        ctx.addIssue({
          code: 'custom',
          path: ['filterExit', 'query', key],
          message: `${key} is the window the connector fills (source.params.${key}); the exit query reads the same window`,
        });
    }
    const known = SOURCE_APIS[`${source.platform}/${source.entity}`];
    if (!known) {
      ctx.addIssue({
        code: 'custom',
        path: ['entity'],
        message: `no connector pulls ${source.platform} ${source.entity}`,
      });
      return;
    }
    if (source.api !== known.api)
      ctx.addIssue({
        code: 'custom',
        path: ['api'],
        message: `the ${source.platform} connector pulls ${source.entity} with ${known.api}, not ${source.api}`,
      });
    if (source.method !== known.method)
      ctx.addIssue({
        code: 'custom',
        path: ['method'],
        message: `${known.api} is called with ${known.method}`,
      });
    if (source.idField !== known.idField)
      ctx.addIssue({
        code: 'custom',
        path: ['idField'],
        message: `the ${source.platform} connector publishes ${source.entity} records under their ${known.idField}`,
      });
  });

export const targetSchema = z
  .object({
    system: kingdeeTargetSchema.describe('k3cloud | jdy | k3wise'),
    formId: z
      .string()
      .min(1)
      .describe(
        'K3Cloud form id (SAL_OUTSTOCK), JDY API path, or K3 WISE path (/SO/Save)',
      ),
    operation: z
      .string()
      .min(1)
      .describe('Save | BatchSave (K3Cloud), save (JDY), Save (K3 WISE)'),
    options: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
      .default({})
      .describe(
        'flags passed with the call: IsAutoSubmitAndAudit, IsVerifyBaseDataField, ...',
      ),
    batch: z
      .object({
        rows: z
          .number()
          .int()
          .positive()
          .max(1000)
          .default(20)
          .describe('documents per Kingdee request'),
        rowsKey: refusedKey(
          "operation: BatchSave sends the rows as the Model array (the seed's rowsKey: array)",
        ),
        method: refusedKey(
          "operation names the Kingdee call (BatchSave is the seed's batchArraySave)",
        ),
      })
      .strict()
      .default({ rows: 20 })
      .describe('sink batch settings'),
    idCheck: z
      .boolean()
      .default(true)
      .describe(
        'before the first write of a document the sink asks Kingdee whether its billNo exists, and records an existing one as already written instead of saving it again',
      ),
    changeAfterWrite: changeAfterWriteSchema
      .default('dead_letter')
      .describe(
        'a document that arrives again with another payload, or withdrawn from the source, after it was written (per-record flows; merged flows send corrections): ' +
          'dead_letter (default) = a changed_after_write dead letter with both versions and a diff, replayable; skip = Kingdee is kept as it is (logged); ' +
          'update = the written bill is saved over in place (k3cloud: Save with its FID while unaudited; an audited bill needs target.unauditToUpdate, else a dead letter); ' +
          'reverse = a reversal bill <billNo>-R<n> negating target.reversal.negate, then the new version as bill <billNo>-V<n+1> (a withdrawn record: the reversal only)',
      ),
    unauditToUpdate: z
      .boolean()
      .default(false)
      .describe(
        'changeAfterWrite: update on an audited k3cloud bill: UnAudit, Save, Submit, Audit (false: an audited bill becomes a changed_after_write dead letter)',
      ),
    reversal: z
      .object({
        negate: z
          .array(z.string().regex(/^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$/))
          .min(1)
          .describe(
            'document fields a reversal negates, dotted paths (FEntity.FRealQty: the field of every FEntity row)',
          ),
      })
      .strict()
      .optional()
      .describe('changeAfterWrite: reverse: how the reversal bill is built'),
  })
  .strict()
  .superRefine((target, ctx) => {
    const rule = target.changeAfterWrite;
    // Implemented and tested against the K3Cloud target only.
    if (
      (rule === 'update' || rule === 'reverse') &&
      target.system !== 'k3cloud'
    )
      ctx.addIssue({
        code: 'custom',
        path: ['changeAfterWrite'],
        message: `target.changeAfterWrite: ${rule} is not supported for ${target.system} (k3cloud only); use dead_letter or skip`,
      });
    if (rule === 'reverse' && !target.reversal)
      ctx.addIssue({
        code: 'custom',
        path: ['reversal'],
        message:
          'target.changeAfterWrite: reverse needs target.reversal.negate (the quantity and amount fields a reversal negates)',
      });
    if (rule !== 'reverse' && target.reversal)
      ctx.addIssue({
        code: 'custom',
        path: ['reversal'],
        message: 'target.reversal applies to changeAfterWrite: reverse only',
      });
    if (rule !== 'update' && target.unauditToUpdate)
      ctx.addIssue({
        code: 'custom',
        path: ['unauditToUpdate'],
        message:
          'target.unauditToUpdate applies to changeAfterWrite: update only',
      });
  });

export const aggregateOpSchema = z.enum([
  '$sum',
  '$min',
  '$max',
  '$first',
  '$last',
  '$count',
]);
export type AggregateOp = z.infer<typeof aggregateOpSchema>;

export const mergeSchema = z
  .object({
    list: z
      .string()
      .min(1)
      .describe('detail list whose rows are merged (goodsDetail)'),
    headerGroup: z
      .array(z.string().min(1))
      .min(1)
      .describe('header keys that form a group (shop, warehouse, ...)'),
    eventTimeField: z
      .string()
      .min(1)
      .describe('payload time that places a record in a window (consignTime)'),
    window: z
      .object({
        size: z
          .union([z.string(), z.number()])
          .describe('tumbling window size: 1d, 1h, 15m'),
        grace: z
          .union([z.string(), z.number()])
          .default('0s')
          .describe('wait after window end before emitting'),
        idleTimeout: z
          .union([z.string(), z.number()])
          .default('5m')
          .describe(
            'emit a window past end+grace (wall clock) that got no record for this long, even if the watermark is stuck',
          ),
      })
      .strict(),
    bodyGroup: z
      .array(z.string().min(1))
      .min(1)
      .describe(
        'row keys, written <list>_<field> as in the seed (goodsDetail_goodsNo)',
      ),
    calculate: z
      .record(z.string(), aggregateOpSchema)
      .describe('<list>_<field>: $sum | $min | $max | $first | $last | $count'),
    dedupRetention: z
      .union([z.string(), z.number()])
      .default('7d')
      .describe(
        'how long (event time past window end) the records an emitted window counted are kept, so a change after write becomes an exact correction (delta) document',
      ),
    historyRetention: z
      .union([z.string(), z.number()])
      .default('400d')
      .describe(
        'how long (event time past window end) the content hashes of emitted records are kept to drop redeliveries; a record of an older window is refused to the dead-letter topic',
      ),
  })
  .strict()
  .describe("windowed merge (the seeds' groupCalculate)");

/**
 * A `_findCollection` table the transform reads from K3Cloud itself
 * (ExecuteBillQuery on `formId`, batched per page of records, cached for
 * `cacheTtl`) instead of from a table loaded by hand.
 */
export const lookupTableSchema = z
  .object({
    source: z.literal('k3cloud').describe('where the rows come from'),
    formId: z
      .string()
      .min(1)
      .describe('K3Cloud form queried (BD_Customer, SAL_SaleOrder, ...)'),
    columns: z
      .record(
        z.string().regex(/^[A-Za-z_]\w*$/),
        z.string().regex(/^[A-Za-z_][\w.]*$/),
      )
      .refine((c) => Object.keys(c).length > 0, 'at least one column')
      .describe(
        'lookup column -> K3Cloud field key (seller_number: FSELLER.FNumber, entry_id: FSaleOrderEntry_FEntryID)',
      ),
    cacheTtl: z
      .union([z.string(), z.number()])
      .default('10m')
      .describe('how long a found row is served before K3Cloud is asked again'),
    missing: z
      .object({
        retryFor: z
          .union([z.string(), z.number()])
          .describe(
            'a record whose row K3Cloud does not have (yet) is retried this long after it was fetched, then dead-lettered naming the key',
          ),
      })
      .strict()
      .optional()
      .describe(
        'a row that may appear later (a sales order still being written)',
      ),
  })
  .strict();
export type LookupTableSettings = z.infer<typeof lookupTableSchema>;

const FIND_COLLECTION_RE =
  /^_findCollection\s+find\s+(\w+)\s+from\s+(\w+)\s+where\s+(.+)$/is;

/** Every `_findCollection` of a mapping tree, with its plan path. */
function findCollections(
  fields: readonly MappingFieldInput[],
  path: string,
  out: Array<{ path: string; column: string; table: string; keys: string[] }>,
): void {
  fields.forEach((f, i) => {
    const at = `${path}[${i}]`;
    const m =
      typeof f.value === 'string'
        ? FIND_COLLECTION_RE.exec(f.value.trim())
        : null;
    if (m)
      out.push({
        path: `${at}.value`,
        column: m[1] as string,
        table: m[2] as string,
        keys: (m[3] as string)
          .split(/\s+and\s+/i)
          .map((c) => c.slice(0, c.indexOf('=')).trim()),
      });
    if (f.children) findCollections(f.children, `${at}.children`, out);
  });
}

export const syncPlanSchema = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/)
      .describe('flow id, kebab-case; used in metrics and document keys'),
    name: z.string().optional().describe("human name (the seed's 方案名)"),
    description: z.string().optional(),
    seed: z.string().optional().describe('seed write-up this plan implements'),
    enabled: z
      .boolean()
      .default(true)
      .describe(
        'false: the connector does not pull the stream and the transform does not run the flow',
      ),
    timeZone: z
      .string()
      .default('Asia/Shanghai')
      .describe('zone of source wall times and of formatted dates'),
    source: sourceSchema,
    filters: conditionsSchema
      .default([])
      .describe('record filters applied by the transform'),
    target: targetSchema,
    documentKey: z
      .string()
      .min(1)
      .optional()
      .describe(
        'template of the document key (per-record flows); merged flows derive it from group + window',
      ),
    billNo: z
      .string()
      .min(1)
      .describe(
        'template of the bill / base-data number; merged flows may use {_group.*} and {_window.*}',
      ),
    mapping: z
      .array(mappingFieldSchema)
      .min(1)
      .describe('target document fields (header, entries, link rows)'),
    merge: mergeSchema.optional(),
    lookups: z
      .record(z.string().regex(/^[A-Za-z_]\w*$/), lookupTableSchema)
      .default({})
      .describe(
        "_findCollection tables read from K3Cloud (the seed's {{FCustomerID.FSELLER}}, the sales order of a link)",
      ),
  })
  .strict()
  .superRefine((plan, ctx) => {
    const exit = plan.source.filterExit;
    if (
      plan.merge &&
      exit &&
      (exit.when !== undefined || exit.action !== 'withdraw')
    )
      ctx.addIssue({
        code: 'custom',
        path: [
          'source',
          'filterExit',
          exit.when !== undefined ? 'when' : 'action',
        ],
        message:
          'a merged flow takes a record that leaves the filters out of its window with a correction (negative lines); ' +
          'only source.filterExit.query applies to it',
      });
    const uses: Array<{
      path: string;
      column: string;
      table: string;
      keys: string[];
    }> = [];
    findCollections(plan.mapping, 'mapping', uses);
    for (const use of uses) {
      const table = plan.lookups[use.table];
      if (!table) continue;
      for (const column of [use.column, ...use.keys])
        if (!Object.prototype.hasOwnProperty.call(table.columns, column))
          ctx.addIssue({
            code: 'custom',
            path: use.path
              .split(/[.[\]]+/)
              .filter(Boolean)
              .map((p) => (/^\d+$/.test(p) ? Number(p) : p)),
            message: `column '${column}' is not one of lookups.${use.table}.columns (${Object.keys(table.columns).join(', ')})`,
          });
    }
    const rule = plan.target.changeAfterWrite;
    if (plan.merge && (rule === 'update' || rule === 'reverse'))
      ctx.addIssue({
        code: 'custom',
        path: ['target', 'changeAfterWrite'],
        message: `target.changeAfterWrite: ${rule} applies to per-record flows; a merged flow sends correction documents`,
      });
    if (plan.target.reversal && rule === 'reverse')
      for (const path of plan.target.reversal.negate)
        if (!mapsPath(plan.mapping, path.split('.')))
          ctx.addIssue({
            code: 'custom',
            path: ['target', 'reversal', 'negate'],
            message: `target.reversal.negate: ${path} is not a field of the mapping`,
          });
  });

/** Whether the mapping produces the dotted `path` (a field, or a field of a list's rows). */
function mapsPath(
  fields: readonly MappingFieldInput[],
  path: readonly string[],
): boolean {
  const [head, ...rest] = path;
  const field = fields.find((f) => f.field === head);
  if (!field) return false;
  if (rest.length === 0) return true;
  return field.children !== undefined && mapsPath(field.children, rest);
}

export type SyncPlan = z.infer<typeof syncPlanSchema>;
export type SyncPlanInput = z.input<typeof syncPlanSchema>;
export type MergeSettings = z.infer<typeof mergeSchema>;
