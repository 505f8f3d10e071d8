import { defineConfig } from 'drizzle-kit';

// `npm run db:generate -w services/api` writes a new migration into drizzle/ from the schema; commit it.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema.ts',
  out: './drizzle',
});
