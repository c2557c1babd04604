import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Native and driver packages stay outside the server bundle (Next 16 already lists most; kept as documentation).
  serverExternalPackages: [
    "isolated-vm",
    "better-sqlite3",
    "pg",
    "@node-rs/argon2",
    "@node-rs/bcrypt",
    "prom-client",
  ],
  poweredByHeader: false,
  // Load each dashboard route's code on its first request instead of all of them at start (Next.js's memory-usage
  // guide): an idle server holds about 170 MB instead of 250 MB until someone opens the dashboard.
  experimental: { preloadEntriesOnStart: false },
  // Every page and answer: never framed (the dashboard's Unblock, Delete and Save buttons could otherwise be
  // clickjacked from another site, and the unblock page's URL holds a secret), no MIME sniffing, and no URL sent to
  // other sites as a referrer. Pages that need more (the hosted account pages) add their own stricter policy.
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Content-Security-Policy", value: "frame-ancestors 'none'" },
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "same-origin" },
        ],
      },
    ];
  },
  // Auth0 clients call /oauth/token and /oauth/revoke; the routes live under /api so the aliases are rewrites.
  async rewrites() {
    return [
      { source: "/oauth/token", destination: "/api/oauth/token" },
      { source: "/oauth/revoke", destination: "/api/oauth/revoke" },
    ];
  },
};

export default nextConfig;
