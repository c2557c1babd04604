// Types for Auth0's password-sheriff 2.x (CommonJS, ships none): the parts server/auth/password-policy.ts uses.
declare module "password-sheriff" {
  /** One rule's explanation, as Auth0 returns it in `description.rules` (a printf-style message and its values). */
  export type TSheriffRule = {
    message: string;
    code: string;
    format?: (number | string)[];
    items?: TSheriffRule[];
    verified?: boolean;
  };
  export type TSheriffCharset = {
    explain(): { message: string; code: string };
    test(password: string): boolean;
  };
  export class PasswordPolicy {
    constructor(rules: Record<string, unknown>);
    check(password: string): boolean;
    missing(password: string): { rules: TSheriffRule[]; verified: boolean };
    explain(): TSheriffRule[];
    toString(): string;
  }
  const sheriff: {
    PasswordPolicy: typeof PasswordPolicy;
    charsets: {
      upperCase: TSheriffCharset;
      lowerCase: TSheriffCharset;
      numbers: TSheriffCharset;
      specialCharacters: TSheriffCharset;
    };
  };
  export default sheriff;
}
