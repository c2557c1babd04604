export default function Home() {
  return (
    <main>
      <h1>Portcullis</h1>
      <p>
        Auth0-compatible authorization server for first-party apps using the Resource Owner Password grant.
      </p>
      <ul>
        <li>
          Token endpoint: <code>POST /oauth/token</code>
        </li>
        <li>
          <a href="/.well-known/openid-configuration">OpenID configuration</a>
        </li>
        <li>
          <a href="/.well-known/jwks.json">JWKS</a>
        </li>
      </ul>
    </main>
  );
}
