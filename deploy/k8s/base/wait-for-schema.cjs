// Waits until the database holds as many applied migrations as the API image's own journal lists, so a pod never
// serves on a schema older than its code. Run by the init container `wait-for-schema` (API and worker pods) from the
// API image, whose working directory is services/api (drizzle/ and node_modules/ are there). Polls every 2 s; after
// 10 min exits 1 with a pointer to the migration Job's log. DATABASE_URL comes from the Secret `postgres`.
const pg = require(require.resolve('pg', { paths: [process.cwd()] }));
const want = require(`${process.cwd()}/drizzle/meta/_journal.json`).entries.length;
const deadline = Date.now() + 600_000;

async function applied() {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    const { rows } = await client.query('SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations');
    return rows[0].n;
  } finally {
    client.end().catch(() => {});
  }
}

(async () => {
  for (;;) {
    try {
      const n = await applied();
      if (n >= want) {
        console.log(`schema: ${n} of ${want} migrations applied`);
        return;
      }
      console.log(`waiting for the migration Job: ${n} of ${want} migrations applied`);
    } catch (err) {
      console.log(`waiting for the migration Job: ${err.message}`);
    }
    if (Date.now() > deadline) {
      console.error('no schema after 10 min: kubectl -n swarmgate logs job/migrate');
      process.exit(1);
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
})();
