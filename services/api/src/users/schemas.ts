import { z } from 'zod';
import { MAX_VERSION } from './model';

export const MAX_BATCH = 500;

// C0 controls (NUL, tab, CR, LF, ESC ...), DEL, C1 controls and the Unicode line and paragraph separators. A name
// is one line of text shown to people: none of these belongs in one, NUL cannot be stored by Postgres at all, and
// CR/LF/ESC in a name end up in logs and terminals.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is what it is for
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Text that can be stored and shown as sent: well-formed Unicode (no lone surrogate) without control characters. */
const plainText = z
  .string()
  .refine(
    (s) => !LONE_SURROGATE.test(s),
    'must be well-formed Unicode (a lone surrogate like \\ud800 is not)',
  )
  .refine(
    (s) => !CONTROL.test(s),
    'must not contain control characters (U+0000-U+001F, U+007F-U+009F) or line separators',
  );

const email = plainText.pipe(
  z
    .string()
    .trim()
    .max(254)
    .pipe(z.email({ message: 'must be an email address' })),
);
const name = plainText.pipe(z.string().trim().min(1, 'must not be empty').max(200));
const version = z.number().int().min(1).max(MAX_VERSION);

export const createUserBody = z.strictObject({ email, name });

export const replaceUserBody = z.strictObject({ email, name, version: version.optional() });

export const patchUserBody = z
  .strictObject({ email: email.optional(), name: name.optional(), version: version.optional() })
  .refine((b) => b.email !== undefined || b.name !== undefined, {
    message: 'give at least one of email, name',
  });

export const bulkCreateBody = z
  .strictObject({ users: z.array(createUserBody).min(1).max(MAX_BATCH) })
  .superRefine((body, ctx) => {
    const seen = new Map<string, number>();
    body.users.forEach((u, i) => {
      const key = u.email.toLowerCase();
      const first = seen.get(key);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['users', i, 'email'],
          message: `repeats users.${first}.email`,
        });
      } else seen.set(key, i);
    });
  });

export const lookupBody = z.strictObject({
  ids: z.array(z.number().int().min(1).max(Number.MAX_SAFE_INTEGER)).min(1).max(MAX_BATCH),
});

export const listQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().optional(),
});
