import { withManagement } from "@/server/management/with-management";
import { createManagedUser } from "@/server/management/users/create-user";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

// GET /api/v2/users (search) goes here.

/** POST /api/v2/users (create:users): 201 with the new user. */
export const POST = withManagement(["create:users"], (req, deps, caller) =>
  createManagedUser(deps, caller, req),
);
