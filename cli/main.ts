// The `portcullis` command line: serve (npm start), migrate, import/export of tenant files, user import, keys.
import { parseArgs } from "node:util";
import { existsSync, mkdirSync, readFileSync, writeFileSync, statSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnSync } from "node:child_process";
import { parseEnv, type TEnv } from "../server/platform/env.ts";
import { createDeps, loadMasterKey, setDeps, type TDeps } from "../server/config/deps.ts";
import { hkdfSync } from "node:crypto";
import { createAdminAccount, ensureFirstAdmin } from "../server/admin/accounts.ts";
import { applyMigrations } from "../server/store/migrate.ts";
import { resealSecrets } from "../server/ops/reseal-secrets.ts";
import { importTenant } from "../server/tenant/import-tenant.ts";
import { exportTenantBundle } from "../server/tenant/export-tenant.ts";
import { seedDemoTenant } from "../server/tenant/seed-demo.ts";
import { convertBreachCorpus } from "../server/protection/breached-passwords.ts";
import { listBlocks } from "../server/admin/protection/list-blocks.ts";
import { unblockUser } from "../server/admin/protection/unblock-user.ts";
import { unblockIp } from "../server/admin/protection/unblock-ip.ts";
import { getProcessLogger, type TLogger } from "../server/platform/logger.ts";
import { pruneAuditLogs } from "../server/ops/prune-audit-logs.ts";
import { CLI_ACTOR } from "../server/admin/audit.ts";
import { runUsersCommand, USERS_USAGE } from "./users-command.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

const USAGE = `Usage: portcullis <command>

  serve                                   build if needed, migrate, seed the demo tenant on first start, serve
  migrate                                 apply database migrations
  import <tenant.yaml>                    apply an auth0-deploy-cli tenant file (idempotent, matched by name);
                                          rule scripts are read relative to it
  export <dir>                            write the tenant to <dir>/tenant.yaml and rule scripts to <dir>/rules/
                                          (secrets and rule setting values excluded)
${USERS_USAGE}
  admin create --email <e> --role <r> [--password <p>]
                                          add a dashboard account (roles: owner, admin, rules-editor, security, viewer)
  keys rotate                             new signing key; the old one stays published
  keys list                               list published signing keys
  breached-passwords convert <dump.txt> <corpus.bin> [--min-count N] [--plain]
                                          convert a breach dump (SHA1[:count] lines, e.g. Have I Been Pwned's
                                          download, or plain passwords) for BREACHED_PASSWORDS_FILE
  blocks list                             current brute-force and suspicious-IP blocks
  unblock identifier <name> | user <user_id> | ip <ip>
                                          lift brute-force blocks (and, for an IP, its throttle); an IPv6
                                          address (or network, as blocks list shows it) lifts its network's
  logs prune [--days N] [--batch-size N]  delete audit records older than N days (default AUDIT_RETENTION_DAYS)
                                          in small batches; serve does this hourly when AUDIT_RETENTION_DAYS is set

Configuration comes from the environment: DATABASE_URL, PORT, PUBLIC_URL, PORTCULLIS_MASTER_KEY, … (see README).`;

function fail(message: string): never {
  console.error(`portcullis: ${message}`);
  process.exit(2);
}

async function openDeps(env: TEnv, masterKey?: Buffer): Promise<TDeps> {
  if (env.databaseKind === "sqlite") mkdirSync(dirname(env.DATABASE_URL.slice(5)), { recursive: true });
  await applyMigrations(env.DATABASE_URL, ROOT);
  const deps = await createDeps(env, { masterKey });
  // Secrets sealed before per-purpose keys (v1) are rewritten once; later starts find nothing to do.
  await resealSecrets(deps);
  return deps;
}

function newestMtime(dir: string): number {
  let newest = 0;
  if (!existsSync(dir)) return 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Build the Next.js app when there is no build or the sources changed since the last one. */
function buildIfNeeded(log: TLogger): void {
  const buildId = join(ROOT, ".next", "BUILD_ID");
  const built = existsSync(buildId) ? statSync(buildId).mtimeMs : 0;
  const sources = Math.max(
    ...["app", "server", "components", "rules-runtime"].map((d) => newestMtime(join(ROOT, d))),
    ...["next.config.ts"].map((f) => (existsSync(join(ROOT, f)) ? statSync(join(ROOT, f)).mtimeMs : 0)),
  );
  if (built > sources) return;
  log.info("building the web app (first start or sources changed)…");
  const r = spawnSync(process.execPath, [join(ROOT, "node_modules/next/dist/bin/next"), "build"], {
    cwd: ROOT,
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (r.status !== 0) fail("next build failed");
}

async function serve(): Promise<void> {
  const env = parseEnv();
  // The JSON log on stdout (LOG_LEVEL, LOG_FORMAT); one-time credential banners go to stderr as plain text and
  // never into the log.
  const log = getProcessLogger(env);
  buildIfNeeded(log);
  const masterKey = loadMasterKey(env);
  // Dashboard sessions: the cookie secret derives from the master key unless given, so every server process
  // sharing the key accepts the same sessions.
  process.env.NEXTAUTH_SECRET ??= Buffer.from(
    hkdfSync("sha256", masterKey, "", "portcullis nextauth", 32),
  ).toString("base64url");
  process.env.NEXTAUTH_URL ??= env.PUBLIC_URL;
  const deps = await openDeps(env, masterKey);
  setDeps(deps);
  await deps.keys.current();
  const firstAdmin = await ensureFirstAdmin(deps);
  if (firstAdmin) {
    log.info({ email: firstAdmin.email }, "dashboard owner account created");
    process.stderr.write(
      `\n[portcullis] Dashboard owner account created: ${env.PUBLIC_URL}/login  email=${firstAdmin.email}` +
        (firstAdmin.password
          ? `  password=${firstAdmin.password}  (shown once; change it or set ADMIN_PASSWORD)`
          : "  (password from ADMIN_PASSWORD)") +
        "\n",
    );
  }
  if (env.PORTCULLIS_SEED_DEMO) {
    const seeded = await seedDemoTenant(deps, join(ROOT, "demo"));
    if (seeded) {
      log.info("demo tenant seeded (first start)");
      printDemo(env, seeded);
    }
  }
  const { default: next } = await import("next");
  const app = next({ dev: false, dir: ROOT, port: env.PORT, hostname: "0.0.0.0" });
  await app.prepare();
  const { createHttpServer } = await import("../server/http/serve.ts");
  const { installGracefulShutdown } = await import("../server/http/graceful-shutdown.ts");
  const { startRetentionJob } = await import("../server/ops/retention-job.ts");
  const server = createHttpServer(deps, app.getRequestHandler(), { root: ROOT });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((ok) => server.listen(env.PORT, ok));
  log.info(
    { port: env.PORT, issuer: env.issuer, database: env.databaseKind },
    `listening on http://localhost:${env.PORT}`,
  );
  const retention = startRetentionJob(deps);
  installGracefulShutdown(server, {
    log,
    onClosed: async () => {
      await retention.stop();
      await deps.close();
    },
  });
}

function printDemo(env: TEnv, seeded: NonNullable<Awaited<ReturnType<typeof seedDemoTenant>>>): void {
  const base = env.PUBLIC_URL;
  const web = seeded.tenantReport.generatedCredentials.find((c) => c.name === "Demo Web App");
  const lines = [
    "",
    "──────────────── Portcullis demo tenant seeded (first start) ────────────────",
    `Created: ${seeded.tenantReport.created.join(", ")}`,
    ...seeded.users.map((u) => `Users imported into ${u.connection}: ${u.imported}`),
    "",
    "Client credentials (shown once; store them now):",
    ...seeded.tenantReport.generatedCredentials.map(
      (c) =>
        `  ${c.name}: client_id=${c.client_id}${c.client_secret ? ` client_secret=${c.client_secret}` : " (public client)"}`,
    ),
    "",
    `Demo users' password: ${seeded.demoPassword}  (demo only; set PORTCULLIS_SEED_DEMO=false in production)`,
  ];
  if (web) {
    lines.push(
      "",
      "Try a password grant:",
      `  curl -s ${base}/oauth/token \\`,
      `    -d grant_type=password -d client_id=${web.client_id} -d client_secret='${web.client_secret}' \\`,
      `    -d username=${seeded.sampleUser} -d password='${seeded.demoPassword}' \\`,
      `    -d audience=https://api.portcullis.local/ -d 'scope=openid profile email offline_access'`,
    );
  }
  lines.push("─────────────────────────────────────────────────────────────────────────────", "");
  process.stderr.write(lines.join("\n") + "\n");
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  switch (command) {
    case "serve":
      return serve();
    case "migrate": {
      const env = parseEnv();
      if (env.databaseKind === "sqlite") mkdirSync(dirname(env.DATABASE_URL.slice(5)), { recursive: true });
      const r = await applyMigrations(env.DATABASE_URL, ROOT);
      console.log(
        `Applied ${r.applied.length} migration(s)${r.applied.length ? ": " + r.applied.join(", ") : ""}; ${r.alreadyApplied} already applied.`,
      );
      return;
    }
    case "import": {
      const file = rest[0] ?? fail("import needs a tenant YAML file");
      const deps = await openDeps(parseEnv());
      try {
        // Rule scripts and action code files named in the file (./rules/<name>.js, ./actions/<name>/code.js) are
        // read relative to it, as the deploy CLI does.
        const report = await importTenant(deps, readFileSync(resolve(file), "utf8"), {
          baseDir: dirname(resolve(file)),
        });
        console.log(`Created: ${report.created.join(", ") || "nothing"}`);
        console.log(`Updated: ${report.updated.join(", ") || "nothing"}`);
        for (const u of report.unsupported) console.log(`Unsupported, ignored: ${u}`);
        for (const c of report.generatedCredentials) {
          console.log(
            `Generated for ${c.name}: client_id=${c.client_id}${c.client_secret ? ` client_secret=${c.client_secret} (shown once)` : ""}`,
          );
        }
        for (const s of report.generatedSigningSecrets) {
          console.log(
            `Generated HS256 signing secret for API ${s.identifier}: ${s.signing_secret} (shown once)`,
          );
        }
      } finally {
        await deps.close();
      }
      return;
    }
    case "export": {
      const dir = rest[0] ?? fail("export needs a directory");
      const deps = await openDeps(parseEnv());
      try {
        mkdirSync(dir, { recursive: true });
        const bundle = await exportTenantBundle(deps);
        writeFileSync(join(dir, "tenant.yaml"), bundle.yaml);
        for (const [path, script] of Object.entries(bundle.files)) {
          mkdirSync(dirname(join(dir, path)), { recursive: true });
          writeFileSync(join(dir, path), script);
        }
        const paths = Object.keys(bundle.files);
        const scripts = paths.filter((p) => p.startsWith("./rules/")).length;
        const actions = paths.filter((p) => p.startsWith("./actions/")).length;
        const extra = [
          scripts ? `${scripts} rule script(s) under ${join(dir, "rules")}` : "",
          actions ? `${actions} action code file(s) under ${join(dir, "actions")}` : "",
        ].filter(Boolean);
        console.log(
          `Wrote ${join(dir, "tenant.yaml")}${extra.length ? ` and ${extra.join(" and ")}` : ""} (secrets excluded)`,
        );
      } finally {
        await deps.close();
      }
      return;
    }
    case "users":
      return runUsersCommand(rest, { openDeps: () => openDeps(parseEnv()), fail });
    case "admin": {
      const { values, positionals } = parseArgs({
        args: rest,
        options: { email: { type: "string" }, role: { type: "string" }, password: { type: "string" } },
        allowPositionals: true,
      });
      if (positionals[0] !== "create")
        fail("usage: portcullis admin create --email <e> --role <r> [--password <p>]");
      const deps = await openDeps(parseEnv());
      try {
        const created = await createAdminAccount(deps, CLI_ACTOR, {
          email: values.email ?? fail("admin create needs --email"),
          role: values.role ?? fail("admin create needs --role"),
          password: values.password,
        });
        console.log(
          `Created ${created.role} ${created.email}${created.password ? ` with password ${created.password} (shown once)` : ""}`,
        );
      } finally {
        await deps.close();
      }
      return;
    }
    case "keys": {
      const deps = await openDeps(parseEnv());
      try {
        if (rest[0] === "rotate") console.log(`New signing key: ${await deps.keys.rotate()}`);
        else if (rest[0] === "list")
          for (const k of (await deps.keys.jwks()).keys) console.log(`${k.kid} ${k.alg}`);
        else fail("usage: portcullis keys rotate|list");
      } finally {
        await deps.close();
      }
      return;
    }
    case "breached-passwords": {
      const { values, positionals } = parseArgs({
        args: rest,
        options: { "min-count": { type: "string" }, plain: { type: "boolean", default: false } },
        allowPositionals: true,
      });
      const [sub, input, output] = positionals;
      if (sub !== "convert" || !input || !output)
        fail(
          "usage: portcullis breached-passwords convert <dump.txt> <corpus.bin> [--min-count N] [--plain]",
        );
      const minCount = values["min-count"] === undefined ? 1 : Number(values["min-count"]);
      if (!Number.isInteger(minCount) || minCount < 1) fail("--min-count must be a positive integer");
      const r = await convertBreachCorpus(resolve(input), resolve(output), {
        minCount,
        isPlain: values.plain,
      });
      console.log(
        `Read ${r.read} line(s), kept ${r.kept}, skipped ${r.skipped} malformed; wrote ${r.written} distinct entries (${16 + r.written * 8} bytes) to ${output}.`,
      );
      console.log(`Set BREACHED_PASSWORDS_FILE=${resolve(output)} and restart the server to use it.`);
      return;
    }
    case "blocks": {
      if (rest[0] !== "list") fail("usage: portcullis blocks list");
      const deps = await openDeps(parseEnv());
      try {
        console.log(JSON.stringify(await listBlocks(deps, CLI_ACTOR), null, 2));
      } finally {
        await deps.close();
      }
      return;
    }
    case "unblock": {
      const [what, value] = rest;
      if (!value || !["identifier", "user", "ip"].includes(what ?? ""))
        fail("usage: portcullis unblock identifier <name> | user <user_id> | ip <ip>");
      const deps = await openDeps(parseEnv());
      try {
        if (what === "ip") {
          await unblockIp(deps, CLI_ACTOR, value);
          console.log(`Unblocked IP ${value}.`);
        } else {
          const r = await unblockUser(
            deps,
            CLI_ACTOR,
            what === "user" ? { userId: value } : { identifier: value },
          );
          console.log(`Released ${r.released} block(s) of ${value}.`);
        }
      } finally {
        await deps.close();
      }
      return;
    }
    case "logs": {
      const { values, positionals } = parseArgs({
        args: rest,
        options: { days: { type: "string" }, "batch-size": { type: "string" } },
        allowPositionals: true,
      });
      if (positionals[0] !== "prune") fail("usage: portcullis logs prune [--days N] [--batch-size N]");
      const env = parseEnv();
      const days = values.days === undefined ? env.AUDIT_RETENTION_DAYS : Number(values.days);
      if (days === undefined) fail("logs prune needs --days N or AUDIT_RETENTION_DAYS");
      if (!Number.isInteger(days) || days < 1) fail("--days must be a positive integer");
      const batchSize = values["batch-size"] === undefined ? 500 : Number(values["batch-size"]);
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000)
        fail("--batch-size must be an integer from 1 to 10000");
      const deps = await openDeps(env);
      try {
        const r = await pruneAuditLogs(deps, { retentionDays: days, batchSize });
        process.stderr.write(
          `Deleted ${r.deleted} audit record(s) older than ${r.cutoff.toISOString()} in ${r.batches.length} batch(es).\n`,
        );
      } finally {
        await deps.close();
      }
      return;
    }
    case undefined:
    case "help":
    case "--help":
      console.log(USAGE);
      return;
    default:
      fail(`unknown command '${command}'\n\n${USAGE}`);
  }
}

main().catch((err: unknown) => {
  console.error(`portcullis: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
