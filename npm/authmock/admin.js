// The control plane (/__admin) of one authmock, scoped to one namespace; Node's own fetch only.

/** authmock could not start, stopped, or is not answering. */
export class AuthmockError extends Error {
  constructor(message) {
    super(message);
    this.name = 'AuthmockError';
  }
}

/** A control-plane call answered an error: `status` and the `{"error"}` body. */
export class AdminError extends AuthmockError {
  constructor(method, path, status, body) {
    super(`${method} ${path} answered ${status}: ${body && body.error !== undefined ? body.error : JSON.stringify(body)}`);
    this.name = 'AdminError';
    this.status = status;
    this.body = body;
  }
}

/** `verify` did not hold; `matched` requests matched, `nearest` are the closest journal entries. */
export class VerificationError extends Error {
  constructor(message, matched, nearest) {
    const lines = nearest.map(
      (e) => `  ${e.method} ${e.uri} -> ${e.status} (${(e.warnings || []).length} warnings)`,
    );
    super(nearest.length ? [message, ...lines].join('\n') : `${message} (the journal holds nothing near it)`);
    this.name = 'VerificationError';
    this.matched = matched;
    this.nearest = nearest;
  }
}

function query(q) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== false) p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

export class Admin {
  /**
   * @param {string} baseUrl
   * @param {{namespace?: string, adminToken?: string, whyDown?: () => Promise<string|undefined>}} [opts]
   */
  constructor(baseUrl, opts = {}) {
    this.baseUrl = baseUrl.replace(/\/$/, '');
    this.namespaceName = opts.namespace;
    this._opts = opts;
    this.headers = opts.namespace ? { 'X-Mock-Namespace': opts.namespace } : {};
    const call = this._call.bind(this);
    this.clock = {
      get: () => call('GET', '/__admin/clock'),
      freeze: (frozen = true) => call('POST', '/__admin/clock', { freeze: frozen }),
      set: (instant, freeze) => call('POST', '/__admin/clock', freeze === undefined ? { set: instant } : { set: instant, freeze }),
      advance: (by) => call('POST', '/__admin/clock', { advance: by }),
      real: () => call('DELETE', '/__admin/clock'),
    };
    this.faults = {
      add: (route, action = {}) => call('POST', '/__admin/faults', { route, ...action }),
      list: async () => (await call('GET', '/__admin/faults')).faults,
      remove: (id) => call('DELETE', `/__admin/faults/${encodeURIComponent(id)}`),
      clear: async () => (await call('DELETE', '/__admin/faults')).cleared,
    };
    this.koodrive = {
      mintAuthCode: async (userId, { ttlSeconds } = {}) =>
        (await call('POST', '/__admin/koodrive/auth-codes', ttlSeconds === undefined ? { userId } : { userId, ttlSeconds })).code,
      mintVerificationCode: async (account) =>
        (await call('POST', '/__admin/koodrive/verification-codes', { account })).captchaToken,
    };
    this.identities = {
      addUser: (family, user) => call('POST', `/__admin/${family}/users`, user),
      addOrg: (family, org) => call('POST', `/__admin/${family}/orgs`, org),
      addClient: (client) => call('POST', '/__admin/oneaccess/clients', client),
      removeUser: (family, id) => call('DELETE', `/__admin/${family}/users/${encodeURIComponent(id)}`),
    };
  }

  async _call(method, path, body, ok = [200, 201]) {
    const headers = { ...this.headers };
    if (this._opts.adminToken) headers.Authorization = `Bearer ${this._opts.adminToken}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res;
    try {
      res = await fetch(this.baseUrl + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (e) {
      const why = this._opts.whyDown ? await this._opts.whyDown() : undefined;
      throw new AuthmockError(why || `${method} ${path}: authmock is not answering: ${e.cause?.message || e.message}`);
    }
    const text = await res.text();
    let parsed;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = text;
    }
    if (!ok.includes(res.status)) throw new AdminError(method, path, res.status, parsed);
    return parsed;
  }

  /** The same server through `X-Mock-Namespace: name`. */
  namespace(name) {
    return new Admin(this.baseUrl, { ...this._opts, namespace: name });
  }

  health() { return this._call('GET', '/__admin/health'); }
  async reset() { await this._call('POST', '/__admin/reset'); }
  state(q = {}) { return this._call('GET', `/__admin/state${query(q)}`); }
  async requests(q = {}) { return (await this._call('GET', `/__admin/requests${query(q)}`)).requests; }
  async clearRequests() { return (await this._call('DELETE', '/__admin/requests')).cleared; }
  async warnings() { return (await this._call('GET', '/__admin/warnings')).warnings; }
  async revoke(token) { await this._call('DELETE', `/__admin/tokens/${encodeURIComponent(token)}`); }

  /** Resolves to the number matched; rejects with VerificationError when it does not hold. */
  async verify(route, { count, atLeast, atMost, status, noWarnings } = {}) {
    const parts = route.trim().split(/\s+/);
    if (parts.length > 2) throw new TypeError(`route must be "METHOD /path" or "/path", got ${JSON.stringify(route)}`);
    const body = parts.length === 2 ? { method: parts[0], path: parts[1] } : { path: parts[0] };
    Object.assign(body, Object.fromEntries(Object.entries({ count, atLeast, atMost, status }).filter(([, v]) => v !== undefined)));
    if (noWarnings) body.noWarnings = true;
    const r = await this._call('POST', '/__admin/verify', body, [200, 417]);
    if (r.nearest) throw new VerificationError(r.error, r.matched, r.nearest);
    return r.matched;
  }
}
