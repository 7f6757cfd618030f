import { z } from 'zod';

/** `{FieldName, Message, DIndex}` of `ResponseStatus.Errors`. */
export const k3ErrorSchema = z.object({
  FieldName: z.string().nullish(),
  Message: z.string().nullish(),
  DIndex: z.number().int().nullish(),
});

/** `{Id, Number, DIndex}` of `ResponseStatus.SuccessEntitys`. */
export const k3SuccessEntitySchema = z.object({
  Id: z.union([z.number(), z.string()]),
  Number: z.string().nullish(),
  DIndex: z.number().int().nullish(),
});

export const k3ResponseStatusSchema = z.object({
  IsSuccess: z.boolean(),
  ErrorCode: z.union([z.number(), z.string()]).nullish(),
  MsgCode: z.number().int().nullish(),
  Errors: z.array(k3ErrorSchema).nullish(),
  SuccessEntitys: z.array(k3SuccessEntitySchema).nullish(),
});
export type K3ResponseStatus = z.infer<typeof k3ResponseStatusSchema>;

/** Save / BatchSave / Submit / Audit answer. */
export const k3OperationAnswerSchema = z.object({
  Result: z.object({
    ResponseStatus: k3ResponseStatusSchema,
    Id: z.union([z.number(), z.string()]).nullish(),
    Number: z.string().nullish(),
  }),
});
export type K3OperationAnswer = z.infer<typeof k3OperationAnswerSchema>;

/** Login answer (ValidateUser, LoginByAppSecret, LoginBySign). */
export const k3LoginAnswerSchema = z.object({
  LoginResultType: z.number().int(),
  Message: z.string().nullish(),
  KDSVCSessionId: z.string().nullish(),
  Context: z
    .object({ SessionId: z.string().nullish() })
    .passthrough()
    .nullish(),
});
export type K3LoginAnswer = z.infer<typeof k3LoginAnswerSchema>;

/** ExecuteBillQuery: rows as arrays; a failure is `[[{Result:{ResponseStatus}}]]`. */
export const k3QueryAnswerSchema = z.array(z.array(z.unknown()));

export const k3QueryFailureSchema = z.object({
  Result: z.object({ ResponseStatus: k3ResponseStatusSchema }),
});
