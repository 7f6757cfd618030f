/** A syntax or safety error in a `_function` expression, found at plan validation. */
export class ExpressionSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(`${message} (at ${position})`);
    this.name = 'ExpressionSyntaxError';
  }
}

/** A runtime error while evaluating an expression against one record. */
export class ExpressionEvaluationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExpressionEvaluationError';
  }
}
