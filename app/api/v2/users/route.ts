import { withManagement } from "@/server/management/with-management";
import { createManagedUser } from "@/server/management/users/create-user";
import { searchManagedUsers } from "@/server/management/users/search-users";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/v2/users (read:users): list and search (`q`, `search_engine=v3`, `sort`, paging, fields). */
export const GET = withManagement(["read:users"], (req, deps, caller) =>
  searchManagedUsers(deps, caller, new URL(req.url)),
);

/** POST /api/v2/users (create:users): 201 with the new user. */
export const POST = withManagement(["create:users"], (req, deps, caller) =>
  createManagedUser(deps, caller, req),
);
