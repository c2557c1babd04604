import { useSyncExternalStore } from "react";

const subscribe = () => () => undefined;

/**
 * False in the server's HTML and while React hydrates it, true once event handlers are attached. Controls stay
 * disabled until then: a click that lands earlier would do nothing (an action button), or submit the form natively
 * and put its fields in the URL (a sign-in form).
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => true,
    () => false,
  );
}
