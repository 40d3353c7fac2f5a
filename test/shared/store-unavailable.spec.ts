import { StoreUnavailable } from '../../src/shared/store-unavailable';

describe('StoreUnavailable', () => {
  // Its message is the 503's detail, sent to whoever asked: a driver's error naming a URL whole names its password too.
  it("names why with each URL's password written ***", () => {
    const cause = new TypeError('Request cannot be constructed from a URL that includes credentials: http://idp:idp-pass-31c7@127.0.0.1:9/jwks');
    const unavailable = new StoreUnavailable("the identity provider's key set (JWKS_URL)", cause);
    expect(unavailable.message).toBe("the identity provider's key set (JWKS_URL) is unavailable: Request cannot be constructed from a URL that includes credentials: http://idp:***@127.0.0.1:9/jwks");
    expect(unavailable.cause).toBe(cause);
  });
});
