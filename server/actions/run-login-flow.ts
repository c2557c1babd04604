import { runLoginRules, type TLoginRulesInput, type TLoginRulesResult } from "../rules/run-login-rules.ts";
import { runLoginActions } from "./run-login-actions.ts";

/**
 * The post-login flow of a password, realm, MFA-completing or refresh-token login: the enabled rules in order,
 * then the post-login actions in flow order (Auth0 runs active Rules before Actions). Returns the scopes, claims,
 * metadata and MFA request to apply, or throws the OAuth error of whichever step refused the login.
 */
export async function runLoginFlow(input: TLoginRulesInput): Promise<TLoginRulesResult> {
  return runLoginActions(input, await runLoginRules(input));
}
