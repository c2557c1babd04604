import { getDeps } from "@/server/config/deps";
import { inspectUnblockLink } from "@/server/protection/redeem-unblock-link";
import { INVALID_UNBLOCK_LINK } from "@/server/protection/unblock-page";

export const dynamic = "force-dynamic";

/**
 * GET /unblock/<token>: the link from the "account blocked" message. Opening it changes nothing (mail scanners
 * fetch links); the button submits a POST that lifts the block and uses the link up.
 */
export default async function UnblockPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const state = await inspectUnblockLink(await getDeps(), token);
  if (!state.isValid) {
    return (
      <main>
        <h1>{INVALID_UNBLOCK_LINK[0]}</h1>
        <p>{INVALID_UNBLOCK_LINK[1]}</p>
      </main>
    );
  }
  return (
    <main>
      <h1>Unblock your account</h1>
      <p>
        Logins to your account were blocked after repeated failed attempts. If they were yours, unblock it:
      </p>
      <form method="post" action="/api/unblock">
        <input type="hidden" name="token" value={token} />
        <button type="submit">Unblock my account</button>
      </form>
      <p>This link works once, until {state.expiresAt.toUTCString()}.</p>
    </main>
  );
}
