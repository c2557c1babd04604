import { notFoundRoute } from "@/server/management/not-found-route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Any /api/v2 path Portcullis does not serve: Auth0's 404 body (after the caller's token is checked). */
export const GET = notFoundRoute;
export const POST = notFoundRoute;
export const PUT = notFoundRoute;
export const PATCH = notFoundRoute;
export const DELETE = notFoundRoute;
