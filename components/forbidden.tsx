/** Shown when the signed-in role may not see a screen (the server refused to load its data). */
export function Forbidden() {
  return (
    <section>
      <h1>Not available for your role</h1>
      <p>Ask an owner if you need access to this screen.</p>
    </section>
  );
}
