/** Typed errors, turned into pages in one place (error-handler.ts). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
export class NotFound extends HttpError {
  constructor(message = 'Page not found') {
    super(404, message);
  }
}
export class Forbidden extends HttpError {
  constructor(message = 'You do not have access to this page') {
    super(403, message);
  }
}
export class Conflict extends HttpError {
  constructor(message: string) {
    super(409, message);
  }
}
export interface FieldError {
  field: string;
  message: string;
}
export class ValidationFailed extends HttpError {
  constructor(readonly errors: FieldError[]) {
    super(400, 'There is a problem with what you entered');
  }
}
