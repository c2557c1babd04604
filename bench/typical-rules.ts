// Five rules of the kinds Auth0 tenants run most (checks, claims from metadata, an allowlist), shared by the
// rules and token-endpoint benchmarks. The allowlist admits example.com, so bench users live there.
export const TYPICAL: string[] = [
  `function emailVerified(user, context, callback) {
    if (!user.email_verified) return callback(new UnauthorizedError('Please verify your email before logging in.'));
    callback(null, user, context);
  }`,
  `function addEmailToAccessToken(user, context, callback) {
    context.accessToken['https://example.com/email'] = user.email;
    callback(null, user, context);
  }`,
  `function (user, context, callback) {
    const roles = (user.app_metadata && user.app_metadata.roles) || [];
    context.idToken['https://example.com/roles'] = roles;
    context.accessToken['https://example.com/roles'] = roles;
    callback(null, user, context);
  }`,
  `function emailDomainAllowlist(user, context, callback) {
    const allowed = ['example.com', 'acme.test'];
    const domain = user.email.split('@').pop().toLowerCase();
    if (allowed.indexOf(domain) === -1) return callback(new UnauthorizedError('Access denied.'));
    callback(null, user, context);
  }`,
  `function (user, context, callback) {
    if (context.clientName === 'Reports' && context.request.ip.indexOf('10.') !== 0) {
      return callback(new UnauthorizedError('Reports are only available on the corporate network.'));
    }
    context.idToken['https://example.com/tenant'] = context.tenant;
    callback(null, user, context);
  }`,
];
