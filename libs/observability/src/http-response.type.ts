/** The part of the platform response the controllers use (express-compatible). */
export interface HttpResponseLike {
  status(code: number): unknown;
  setHeader(name: string, value: string): unknown;
}
