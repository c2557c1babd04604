import type { TPasswordOptions } from "@/server/auth/connection-settings";
import { FieldError } from "./form-bits";

const LEVELS = [
  ["none", "None: any non-empty password"],
  ["low", "Low: at least 6 characters"],
  ["fair", "Fair: 8 characters with a lower-case letter, an upper-case letter and a number"],
  ["good", "Good: 8 characters with 3 of lower case, upper case, numbers, special characters"],
  ["excellent", "Excellent: 10 characters as Good, and no more than 2 identical characters in a row"],
] as const;

/** The connection's password options as the PATCH body's `options` (Auth0's names and shapes). */
export function readPasswordOptionsForm(f: FormData): TPasswordOptions {
  const minLength = String(f.get("min_length") ?? "").trim();
  const words = String(f.get("dictionary") ?? "")
    .split("\n")
    .map((w) => w.trim())
    .filter(Boolean);
  return {
    passwordPolicy: String(f.get("passwordPolicy")) as TPasswordOptions["passwordPolicy"],
    password_complexity_options: minLength ? { min_length: Number(minLength) } : {},
    password_history: { enable: f.get("history") === "on", size: Number(f.get("history_size") || 5) },
    password_dictionary: { enable: f.get("dictionary_on") === "on", dictionary: words },
    password_no_personal_info: { enable: f.get("personal_info") === "on" },
    disable_signup: f.get("disable_signup") === "on",
    send_verification_email: f.get("send_verification_email") === "on",
  };
}

/**
 * The password policy and signup switch of a database connection, enforced wherever a password is set (signup,
 * password reset, the dashboard, the CLI). User import takes hashes only, which no policy can check.
 */
export function PasswordPolicyFields({
  options,
  rules,
  fields,
}: {
  options: TPasswordOptions;
  rules: string;
  fields: Record<string, string>;
}) {
  return (
    <fieldset>
      <legend>Password policy and signup</legend>
      <label>
        Strength
        <select name="passwordPolicy" defaultValue={options.passwordPolicy ?? "none"}>
          {LEVELS.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <label>
        Minimum length (1–128; empty for the level&apos;s own)
        <input
          name="min_length"
          type="number"
          min={1}
          max={128}
          defaultValue={options.password_complexity_options?.min_length ?? ""}
        />
      </label>
      <FieldError name="options" fields={fields} />
      <p className="hint">
        Current rules: <code className="pre-wrap">{rules}</code>. New and changed passwords must meet them;
        existing passwords keep working.
      </p>
      <label className="check">
        <input type="checkbox" name="history" defaultChecked={options.password_history?.enable ?? false} />{" "}
        Password history: refuse the user&apos;s most recent passwords
      </label>
      <label>
        How many (up to 24)
        <input
          name="history_size"
          type="number"
          min={0}
          max={24}
          defaultValue={options.password_history?.size ?? 5}
        />
      </label>
      <label className="check">
        <input
          type="checkbox"
          name="dictionary_on"
          defaultChecked={options.password_dictionary?.enable ?? false}
        />{" "}
        Password dictionary: refuse common passwords (a shipped list) and the words below, ignoring case
      </label>
      <label>
        Additional words, one per line (up to 200)
        <textarea
          name="dictionary"
          rows={3}
          defaultValue={(options.password_dictionary?.dictionary ?? []).join("\n")}
        />
      </label>
      <label className="check">
        <input
          type="checkbox"
          name="personal_info"
          defaultChecked={options.password_no_personal_info?.enable ?? false}
        />{" "}
        Block personal data: refuse passwords containing the user&apos;s name, username, nickname or the part
        of the email before the @
      </label>
      <label className="check">
        <input type="checkbox" name="disable_signup" defaultChecked={options.disable_signup ?? false} />{" "}
        Disable sign ups (POST /dbconnections/signup is refused; admins can still create users)
      </label>
      <label className="check">
        <input
          type="checkbox"
          name="send_verification_email"
          defaultChecked={options.send_verification_email !== false}
        />{" "}
        Send a verification email on sign up (a single-use link that sets email_verified)
      </label>
    </fieldset>
  );
}
