import { z } from 'zod';

export const MAX_BATCH = 500;

const email = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email({ message: 'must be an email address' }));
const name = z.string().trim().min(1, 'must not be empty').max(200);
const version = z.number().int().min(1).max(2_147_483_647);

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
