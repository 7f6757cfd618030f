/** K3Cloud WebAPI service stubs: `<stub>.<Service>.common.kdsvc` under the base URL. */
export const K3_AUTH_SERVICE = 'Kingdee.BOS.WebApi.ServicesStub.AuthService';
export const K3_DYNAMIC_FORM_SERVICE =
  'Kingdee.BOS.WebApi.ServicesStub.DynamicFormService';

/** K3Cloud `ResponseStatus.MsgCode` values (WebAPI explorer table). */
export const K3_MSG = {
  default: 0,
  sessionLost: 1,
  noPermission: 2,
  exception: 4,
  emptyFormId: 5,
  parameterError: 8,
  fieldNotExist: 9,
  dataNotFound: 10,
  validationFailed: 11,
  notOperable: 12,
  callLimited: 14,
} as const;

/** The message of a `MsgCode 1` answer (the session is gone: log in again). */
export const K3_SESSION_LOST_MESSAGE = '会话信息已丢失，请重新登录';

/** JDY errcodes with a meaning (0 and 2000002000 documented; the token ones from client code). */
export const JDY_ERRCODE = {
  ok: 0,
  systemError: 2000002000,
  validation: 2000002001,
  notFound: 2000002004,
  appSecretInvalid: 1030002006,
  tokenInvalid: 1030002003,
  instanceNotFound: 1030002007,
} as const;
