// Choices shared by the create and edit application forms, so both offer the same values under the same labels.

export const APP_TYPES = [
  ["regular_web", "Regular web application"],
  ["spa", "Single-page application"],
  ["native", "Native"],
  ["non_interactive", "Machine to machine"],
] as const;

export const AUTH_METHODS = [
  ["client_secret_post", "Client secret (post)"],
  ["client_secret_basic", "Client secret (basic)"],
  ["none", "None (public)"],
] as const;

/** `<option>` elements for a list of [value, label] pairs. */
export function Options({ of }: { of: readonly (readonly [string, string])[] }) {
  return of.map(([value, label]) => (
    <option key={value} value={value}>
      {label}
    </option>
  ));
}
