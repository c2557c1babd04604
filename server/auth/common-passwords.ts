let loaded: Promise<ReadonlySet<string>> | undefined;

/**
 * The shipped list of common passwords (the `passwords-common` dictionary of @zxcvbn-ts/language-common, MIT),
 * lower-cased, decompressed on first use (about 40 ms) and shared by the process. Breached-password detection and
 * the connection's password dictionary both read it.
 */
export function loadCommonPasswords(): Promise<ReadonlySet<string>> {
  loaded ??= import("@zxcvbn-ts/language-common").then(
    (m) => new Set((m.dictionary["passwords-common"] as string[]).map((p) => p.toLowerCase())),
  );
  return loaded;
}
