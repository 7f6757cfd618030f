/** A plan that cannot be compiled; `path` is the path of the bad field inside the plan. */
export class PlanCompileError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
    this.name = 'PlanCompileError';
  }
}
