import type { Context } from 'hono';
import type { z } from 'zod';
import { badRequest, HttpError } from '../errors';

/** Zod issues as `{ path, message }` pairs, the `details` of a 400 VALIDATION_FAILED. */
export function fieldErrors(error: z.ZodError) {
  return error.issues.map((issue) => ({ path: issue.path.join('.') || '(body)', message: issue.message }));
}

/**
 * Reads a JSON request body and validates it: 415 when it is not declared JSON, 400 INVALID_JSON when it does not
 * parse, 400 VALIDATION_FAILED with every field error when it does not fit the schema.
 */
export async function readJson<T>(c: Context, schema: z.ZodType<T>): Promise<T> {
  const type = c.req.header('content-type');
  if (!type || !/^application\/([a-z.+-]*\+)?json\b/i.test(type)) {
    throw new HttpError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      'the request body must be JSON (Content-Type: application/json)',
    );
  }
  let body: unknown;
  try {
    body = await c.req.json();
  } catch (err) {
    if (err instanceof HttpError) throw err;
    throw badRequest('INVALID_JSON', 'the request body is not valid JSON');
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw badRequest('VALIDATION_FAILED', 'the request body is invalid', fieldErrors(parsed.error));
  }
  return parsed.data;
}
