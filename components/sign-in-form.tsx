"use client";

import { useState, type FormEvent } from "react";
import { signIn } from "next-auth/react";
import { Button } from "./button";
import { resolveCallbackUrl } from "@/server/admin/resolve-callback-url";

const MESSAGES: Record<string, string> = {
  CredentialsSignin: "Wrong email or password.",
  otp_required: "Enter the code from your authenticator app.",
  otp_invalid: "That code is not valid. Try the current one.",
};

/** Admin sign-in: email and password, then an authenticator code when the account has TOTP. */
export function SignInForm({ callbackUrl }: { callbackUrl: string }) {
  const [error, setError] = useState<string | null>(null);
  const [needsOtp, setNeedsOtp] = useState(false);
  const [busy, setBusy] = useState(false);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const form = new FormData(e.currentTarget);
    const result = await signIn("credentials", {
      redirect: false,
      email: String(form.get("email") ?? ""),
      password: String(form.get("password") ?? ""),
      otp: String(form.get("otp") ?? ""),
    });
    setBusy(false);
    if (result?.ok && !result.error) {
      // Checked again here, where it is followed: only a path on this origin.
      window.location.assign(resolveCallbackUrl(callbackUrl, window.location.origin));
      return;
    }
    const code = result?.error ?? "CredentialsSignin";
    if (code === "otp_required" || code === "otp_invalid") setNeedsOtp(true);
    setError(MESSAGES[code] ?? "Sign-in failed. Try again.");
  }

  return (
    // method="post": should the form ever be submitted without JavaScript, the password goes in a body, not the URL.
    <form method="post" onSubmit={(e) => void onSubmit(e)} className="auth-form">
      <label>
        Email
        <input name="email" type="email" autoComplete="username" required className="input-block" />
      </label>
      <label>
        Password
        <input
          name="password"
          type="password"
          autoComplete="current-password"
          required
          className="input-block"
        />
      </label>
      {needsOtp && (
        <label>
          Authenticator code
          <input
            name="otp"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9]{6}"
            required
            className="input-block"
          />
        </label>
      )}
      {error && (
        <p role="alert" className="text-danger flush">
          {error}
        </p>
      )}
      <Button type="submit" disabled={busy}>
        {busy ? "Signing in…" : "Sign in"}
      </Button>
    </form>
  );
}
