import { ManagementError } from "./management-error.ts";
import { withManagement } from "./with-management.ts";

/**
 * The answer for an `/api/v2` path Portcullis does not implement: a caller with a valid token (any scope) gets
 * Auth0's 404; one without gets the 401 every endpoint gives, so unauthenticated callers learn nothing of the map.
 */
export const notFoundRoute = withManagement([], async () => {
  throw ManagementError.notFound("Not Found");
});
