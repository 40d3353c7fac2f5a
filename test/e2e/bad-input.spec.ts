import fc from 'fast-check';
import { checkedFetch } from '../support/answer-contract';
import { call, Journey, type Reply, type TestAgent } from '../support/api-client';
import { generateKeyPair, type TestKeyPair } from '../support/ed25519-keys';
import { rawCall } from '../support/raw-http';
import { serverForSuite } from '../support/server-for-suite';
import { startTestServer } from '../support/test-server';
import { expectAccepted, expectNothingWritten, expectProblem } from './expectations';
import { registeredRoutes } from './registered-routes';
import { ONE_MEDIA_TYPE_WITH_PARAMETERS, PARAMETERS_NOT_RFC_9110 } from '../support/content-types';

const hex = (text: string): string => Buffer.from(text, 'hex').toString('base64url');

/** Public keys that are 43 base64url characters and still no usable Ed25519 key. */
const BAD_KEYS: Record<string, { key: string; code: string }> = {
  'the identity point, of small order': { key: hex(`01${'00'.repeat(31)}`), code: 'PUBLIC_KEY_SMALL_ORDER' },
  'a non-canonical y (p + 1)': { key: hex(`ee${'ff'.repeat(30)}7f`), code: 'PUBLIC_KEY_NOT_A_POINT' },
  'the identity with the sign bit set (non-canonical x = -0)': { key: hex(`01${'00'.repeat(30)}80`), code: 'PUBLIC_KEY_NOT_A_POINT' },
  'a y off the curve': { key: hex(`02${'00'.repeat(31)}`), code: 'PUBLIC_KEY_NOT_A_POINT' },
};

/** The same bytes with unused trailing bits set: another text for one key, which strict base64url refuses. */
const withTrailingBits = (text: string): string => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  return text.slice(0, -1) + alphabet[alphabet.indexOf(text.slice(-1)) | 1];
};

describe('bad input (R15): a clear 4xx problem, and nothing written', () => {
  const suite = serverForSuite();
  let alice: TestAgent;
  let bob: TestAgent;
  let pending: Reply & { key: TestKeyPair };
  let base: string;

  beforeAll(async () => {
    alice = await suite.journey.createOrg('alice');
    await suite.journey.requestKey(alice);
    bob = await suite.journey.addAgent(alice, 'bob');
    pending = (await suite.journey.requestKey(bob)) as Reply & { key: TestKeyPair };
    base = `/v1/orgs/${alice.orgId}`;
  });

  /** Every call in `act` must be refused with a 4xx problem and leave the log where it was. */
  const refusedAll = (act: () => Promise<void>) => expectNothingWritten(suite.server, act);

  describe('public keys and signatures', () => {
    it('refuses malformed base64url and keys of the wrong length (400, naming the field)', async () => {
      const good = generateKeyPair().publicKey;
      await refusedAll(async () => {
        for (const publicKey of [`${good.slice(0, 41)}+/`, `${good.slice(0, 42)}=`, `${good}=`, good.slice(0, 42), `${good}A`, '', 'A'.repeat(4000)]) {
          const challenge = await suite.journey.challenge(bob, { purpose: 'KEY_REQUEST', publicKey });
          expectProblem(challenge, 400, 'INVALID_INPUT');
          expect(challenge.body.detail).toMatch(/publicKey/);
          expect(challenge.body.errors).toEqual([expect.objectContaining({ field: 'publicKey' })]);
          const request = await call(suite.server, 'POST', `${base}/key-requests`, bob.token, { publicKey, challengeId: 'x', signature: 'A'.repeat(86) });
          expectProblem(request, 400, 'INVALID_INPUT');
        }
      });
    });

    it.each(Object.entries(BAD_KEYS))('refuses %s when it is registered (422)', async (_, { key, code }) => {
      const decoy = generateKeyPair();
      const proof = await suite.journey.signed(bob, decoy, { purpose: 'KEY_REQUEST', publicKey: decoy.publicKey });
      await refusedAll(async () => {
        const challenge = await suite.journey.challenge(bob, { purpose: 'KEY_REQUEST', publicKey: key });
        expectProblem(challenge, 422, code);
        // Even with a valid challenge of another key, the bad key is refused first.
        const request = await call(suite.server, 'POST', `${base}/key-requests`, bob.token, { publicKey: key, challengeId: proof.challengeId, signature: proof.signature, replacePending: true });
        expectProblem(request, 422, 'INVALID_PUBLIC_KEY');
        expect(request.body.detail).toMatch(/public key/i);
      });
    });

    it('refuses a non-canonical base64url text of a valid key (422)', async () => {
      const key = generateKeyPair();
      await refusedAll(async () => {
        expectProblem(await suite.journey.challenge(bob, { purpose: 'KEY_REQUEST', publicKey: withTrailingBits(key.publicKey) }), 422, 'PUBLIC_KEY_NOT_BASE64URL');
      });
    });

    it('refuses signatures of the wrong length or encoding (400), and well-formed ones that do not verify (422)', async () => {
      const key = generateKeyPair();
      const proof = await suite.journey.signed(bob, key, { purpose: 'KEY_REQUEST', publicKey: key.publicKey });
      const other = await suite.journey.signed(bob, key, { purpose: 'KEY_REQUEST', publicKey: key.publicKey });
      const send = (signature: unknown) => call(suite.server, 'POST', `${base}/key-requests`, bob.token, { publicKey: key.publicKey, challengeId: proof.challengeId, signature, replacePending: true });
      await refusedAll(async () => {
        for (const signature of [proof.signature.slice(0, 85), `${proof.signature}A`, `${proof.signature.slice(0, 84)}==`, Buffer.from(proof.signature, 'base64url').toString('base64'), '', 42, null, ['x']]) {
          const reply = await send(signature);
          expectProblem(reply, 400, 'INVALID_INPUT');
          expect(reply.body.detail).toMatch(/signature/);
        }
        for (const signature of [other.signature, withTrailingBits(proof.signature), 'A'.repeat(86), key.sign(`${proof.statement} `)]) {
          expectProblem(await send(signature), 422, 'INVALID_SIGNATURE');
        }
      });
      expect(withTrailingBits(proof.signature)).not.toBe(proof.signature);
    });

    it('refuses a verification code that is not 15 digits once spaces and dashes are removed (400, counting no attempt), and takes one that is, however grouped', async () => {
      const dave = await suite.journey.addAgent(alice, 'dave');
      const request = await suite.journey.requestKey(dave);
      const code = request.body.verificationCode as string;
      const digits = code.replace(/-/g, '');
      const approve = (verificationCode: string) => suite.journey.decide(alice, request.body.requestId, 'APPROVE', { verificationCode });
      await refusedAll(async () => {
        for (const verificationCode of ['1-------------1', '0-0-0-0-0-0-0-0-0', `${code}1`, `${code}-1`, digits.slice(1), digits.padEnd(40, '0'), `-${code}`, `${digits.slice(0, 14)}x`, '']) {
          const reply = await approve(verificationCode);
          expectProblem(reply, 400, 'INVALID_INPUT');
          expect(reply.body.errors).toEqual([{ field: 'verificationCode', problems: [expect.stringMatching(/15 digits/)] }]);
        }
      });
      // 15 digits, grouped or not: a wrong one is a wrong code (422, counted), the right one approves.
      expectProblem(await approve('000 000-000000 000'), 422, 'VERIFICATION_CODE_MISMATCH');
      expect((await approve(code.replace(/-/g, ' '))).body).toMatchObject({ status: 'APPROVED' });
    });

    it('refuses a sensitive task that sends half a proof, a challengeId without its signature or a signature without its challengeId (400, naming the missing field), recording no refusal', async () => {
      const task = { browserId: 'b1', task: 'remote-control:device-42' };
      const proof = await suite.journey.signed(alice, alice.key!, { purpose: 'SENSITIVE_TASK', ...task });
      await refusedAll(async () => {
        for (const [half, missing] of [[{ challengeId: proof.challengeId }, 'signature'], [{ signature: proof.signature }, 'challengeId']] as const) {
          const reply = await call(suite.server, 'POST', `${base}/sensitive-tasks`, alice.token, { ...task, ...half });
          expectProblem(reply, 400, 'INVALID_INPUT');
          expect(reply.body.errors).toEqual([{ field: missing, problems: [expect.stringMatching(/challengeId and signature/)] }]);
        }
      });
      // The whole proof still authorizes the task: the refusals spent nothing of it.
      expect((await call(suite.server, 'POST', `${base}/sensitive-tasks`, alice.token, { ...task, ...proof, statement: undefined })).body).toMatchObject({ authorized: true, method: 'SIGNATURE' });
    });
  });

  describe('bodies', () => {
    it('answers 413 to a body over the 64 KiB limit', async () => {
      await refusedAll(async () => {
        const huge = await call(suite.server, 'POST', '/v1/orgs', suite.server.bootstrapToken, {
          name: 'x'.repeat(70 * 1024),
          superAdmin: { agentId: 'alice', email: 'alice@example.com', displayName: 'Alice' },
        });
        expectProblem(huge, 413);
        expectProblem(await call(suite.server, 'POST', `${base}/sensitive-tasks`, alice.token, { browserId: 'b1', task: 'y'.repeat(1024 * 1024) }), 413);
      });
    });

    it('answers 400 to malformed JSON and 415 to a body that is not JSON', async () => {
      await refusedAll(async () => {
        for (const text of ['{"name": ', '{name: "x"}', "{'role': 'ADMIN'}", '[1,2', '{"role":"ADMIN"}}', '\u0000']) {
          expectProblem(await call(suite.server, 'PATCH', `${base}/agents/bob`, alice.token, text), 400, 'JSON_MALFORMED');
        }
        // The JSON parser refuses prototype pollution, and says so.
        // After a byte order mark too, which the parser skips.
        for (const text of ['{"role":"ADMIN","__proto__":{"isAdmin":true}}', '{"role":"ADMIN","constructor":{"prototype":{"isAdmin":true}}}', '\uFEFF{"__proto__":{}}']) {
          const polluting = await call(suite.server, 'PATCH', `${base}/agents/bob`, alice.token, text);
          expectProblem(polluting, 400, 'JSON_FORBIDDEN_NAME');
          expect(polluting.body.detail).toMatch(/__proto__/);
        }
        for (const contentType of ['text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/merge-patch+json']) {
          const reply = await call(suite.server, 'PATCH', `${base}/agents/bob`, alice.token, '{"role":"ADMIN"}', { 'content-type': contentType });
          expectProblem(reply, 415, 'HTTP_415');
          // What was wrong, and what to send instead (R15), not only the status's reason phrase.
          expect(reply.body.detail).toContain(JSON.stringify(contentType));
          expect(reply.body.detail).toMatch(/application\/json/);
        }
        const form = await call(suite.server, 'PATCH', `${base}/agents/bob`, alice.token, 'role=ADMIN', { 'content-type': 'application/x-www-form-urlencoded' });
        expectProblem(form, 415, 'HTTP_415');
        expect(form.body.detail).toContain('"application/x-www-form-urlencoded"');
        const unnamed = await rawCall(suite.server, `PATCH ${base}/agents/bob HTTP/1.1\r\nHost: ztkeys\r\nAuthorization: Bearer ${alice.token}\r\nContent-Length: 16\r\n`, '{"role":"ADMIN"}');
        expectProblem(unnamed, 415, 'HTTP_415');
        expect(unnamed.body.detail).toMatch(/no Content-Type/);
        // An empty JSON body, on a route that takes one and on one that takes none (removing an agent): the detail fits both.
        for (const [method, path] of [['PATCH', `${base}/agents/bob`], ['DELETE', `${base}/agents/bob`]]) {
          const empty = await call(suite.server, method, path, alice.token, '', { 'content-type': 'application/json' });
          expectProblem(empty, 400, 'JSON_MALFORMED');
          expect(empty.body.detail).toMatch(/empty, yet its Content-Type names JSON.*\{\} on a route that takes nothing/);
        }
      });
    });

    it('answers 415 to a Content-Type that is no media type, saying so and what to send', async () => {
      // Fastify refuses these before any parser runs, with only the reason phrase; no parser is asked which type it is.
      await refusedAll(async () => {
        for (const contentType of [';', 'application/', 'application/json, text/plain', '/json', 'json']) {
          const reply = await call(suite.server, 'PATCH', `${base}/agents/bob`, alice.token, '{"role":"ADMIN"}', { 'content-type': contentType });
          expectProblem(reply, 415, 'HTTP_415');
          expect(reply.body.detail).toContain(JSON.stringify(contentType));
          expect(reply.body.detail).toMatch(/not one media type \(type\/subtype/);
          expect(reply.body.detail).toMatch(/application\/json/);
        }
      });
    });

    it('answers 415 to a Content-Type whose parameters are not RFC 9110 parameters (a list after one, a name missing or given twice), and reads one media type with any', async () => {
      const agent = (agentId: string) => JSON.stringify({ agentId, email: `${agentId}@example.com`, displayName: agentId, role: 'MEMBER' });
      await refusedAll(async () => {
        for (const contentType of PARAMETERS_NOT_RFC_9110) {
          const reply = await call(suite.server, 'POST', `${base}/agents`, alice.token, agent('typed'), { 'content-type': contentType });
          expectProblem(reply, 415, 'HTTP_415');
          expect(reply.body.detail).toContain(JSON.stringify(contentType));
          expect(reply.body.detail).toMatch(/not one media type \(type\/subtype/);
        }
      });
      for (const [index, contentType] of ONE_MEDIA_TYPE_WITH_PARAMETERS.entries()) {
        expectAccepted(await call(suite.server, 'POST', `${base}/agents`, alice.token, agent(`typed-${index}`), { 'content-type': contentType }), 201);
      }
    });

    it('answers 400 to body bytes that are not UTF-8, whatever charset the Content-Type names', async () => {
      // Decoded as UTF-8, each such byte became U+FFFD: a name other than the client sent, written to the log.
      const latin1 = Buffer.concat([Buffer.from('{"agentId":"rene","email":"rene@example.com","displayName":"Ren'), Buffer.from([0xe9]), Buffer.from('","role":"MEMBER"}')]);
      await refusedAll(async () => {
        for (const contentType of ['application/json', 'application/json; charset=iso-8859-1']) {
          const reply = await rawCall(suite.server, `POST ${base}/agents HTTP/1.1\r\nHost: ztkeys\r\nAuthorization: Bearer ${alice.token}\r\nContent-Type: ${contentType}\r\n`, latin1);
          expectProblem(reply, 400, 'JSON_NOT_UTF8');
          expect(reply.body.detail).toMatch(/UTF-8/);
        }
      });
      // The same text as UTF-8 is a name like any other.
      expectAccepted(await call(suite.server, 'POST', `${base}/agents`, alice.token, latin1.toString('latin1')), 201);
    });

    it('answers 415 to a body with a content coding, which is never decoded', async () => {
      await refusedAll(async () => {
        for (const coding of ['gzip', 'br', 'deflate', 'x-unknown']) {
          const reply = await call(suite.server, 'PATCH', `${base}/agents/bob`, alice.token, '{"role":"ADMIN"}', { 'content-encoding': coding });
          expectProblem(reply, 415, 'CONTENT_ENCODING_UNSUPPORTED');
          expect(reply.body.detail).toMatch(coding);
        }
      });
    });

    it('answers 400 to a body on a route that takes none (none and {} are fine), and to a query parameter on a route that reads none', async () => {
      const logout = `${base}/agents/alice/browsers/b1/logout`;
      await refusedAll(async () => {
        for (const body of ['null', '[]', '"x"', '42', '{"frequency":"DAILY"}']) {
          const reply = await call(suite.server, 'POST', logout, alice.token, body);
          expectProblem(reply, 400, 'INVALID_INPUT');
          expect(reply.body.errors).toEqual([{ field: 'body', problems: [expect.stringMatching(/takes no body/)] }]);
          expectProblem(await call(suite.server, 'DELETE', `${base}/agents/bob`, alice.token, body), 400, 'INVALID_INPUT');
        }
        // A command that reads no query must not look as if it took one: `?dryRun=true` would run it for real.
        const body = { name: 'Acme', superAdmin: { agentId: 'a', email: 'a@example.com', displayName: 'A' } };
        const dryRun = await call(suite.server, 'POST', '/v1/orgs?dryRun=true', suite.server.bootstrapToken, body);
        expectProblem(dryRun, 400, 'INVALID_INPUT');
        expect(dryRun.body.errors).toEqual([{ field: 'dryRun', problems: ['property dryRun should not exist'] }]);
        expectProblem(await call(suite.server, 'PATCH', `${base}/agents/bob?role=AUDITOR`, alice.token, { role: 'ADMIN' }), 400, 'INVALID_INPUT');
        expectProblem(await call(suite.server, 'POST', `${logout}?all=true`, alice.token), 400, 'INVALID_INPUT');
        expectProblem(await call(suite.server, 'GET', `${base}?x=1`, alice.token), 400, 'INVALID_INPUT');
        expectProblem(await call(suite.server, 'GET', `${base}/key-requests/${pending.body.requestId}?x=1`, alice.token), 400, 'INVALID_INPUT');
      });
      expectAccepted(await call(suite.server, 'POST', logout, alice.token), 200);
      expectAccepted(await call(suite.server, 'POST', logout, alice.token, {}), 200);
      expect((await call(suite.server, 'GET', base, alice.token)).status).toBe(200);
    });

    it('answers 400 to an object that names a member twice, however the name is escaped, at any depth', async () => {
      // Parsers disagree on which value such a member holds (JSON.parse keeps the last): a proxy and ztkeys could read two different commands.
      await refusedAll(async () => {
        const twice = [
          '{"role":"MEMBER","role":"ADMIN"}',
          '{"role":"MEMBER","\\u0072ole":"ADMIN"}',
          '{"role":"ADMIN","x":{"a":1,"a":2}}',
          '{"role":"ADMIN","x":[{"a":1},{"b":1,"b":1}]}',
        ];
        for (const text of twice) {
          const reply = await call(suite.server, 'PATCH', `${base}/agents/bob`, alice.token, text);
          expectProblem(reply, 400, 'JSON_DUPLICATE_NAME');
          expect(reply.body.detail).toMatch(/"(role|a|b)" twice/);
        }
      });
      // The same name in two objects is no repetition: the body reaches validation, which refuses the unknown field.
      const siblings = await call(suite.server, 'PATCH', `${base}/agents/bob`, alice.token, '{"role":"MEMBER","x":[{"role":1},{"role":2}]}');
      expectProblem(siblings, 400);
      expect(siblings.body.code).not.toBe('JSON_DUPLICATE_NAME');
    });

    it('answers 400 to a string that is not well-formed Unicode (a lone surrogate escape), in a value or a name', async () => {
      // RFC 8785 has no canonical form for such a string, so no offline verifier could rebuild the leaf of an event holding it.
      await refusedAll(async () => {
        for (const text of ['\\ud800', '\\udfff', 'a\\udc00\\ud800b', '\\ud83d']) {
          const body = `{"agentId":"eve","email":"eve@example.com","displayName":"${text}","role":"MEMBER"}`;
          const reply = await call(suite.server, 'POST', `${base}/agents`, alice.token, body);
          expectProblem(reply, 400, 'JSON_NOT_UNICODE');
          expect(reply.body.detail).toMatch(/surrogate/);
        }
        const named = await call(suite.server, 'POST', `${base}/agents`, alice.token, '{"agentId":"eve","email":"eve@example.com","displayName":"Eve","role":"MEMBER","\\ud800":1}');
        expectProblem(named, 400, 'JSON_NOT_UNICODE');
      });
      // A pair, escaped, is a character like any other.
      expectAccepted(await call(suite.server, 'POST', `${base}/agents`, alice.token, '{"agentId":"eve","email":"eve@example.com","displayName":"Eve \\ud83d\\ude80","role":"MEMBER"}'), 201);
    });

    it('answers 400 to unknown enum values, naming the field and the allowed values', async () => {
      await refusedAll(async () => {
        const role = await suite.journey.changeRole(alice, 'bob', 'ROOT');
        expectProblem(role, 400, 'INVALID_INPUT');
        expect(role.body.detail).toMatch(/role/);
        expect(role.body.detail).toMatch(/MEMBER/);
        expectProblem(await call(suite.server, 'POST', `${base}/agents`, alice.token, { agentId: 'x', email: 'x@example.com', displayName: 'X', role: 'super_admin' }), 400, 'INVALID_INPUT');
        expectProblem(await suite.journey.challenge(alice, { purpose: 'KEY_REVOCATION' }), 400, 'INVALID_INPUT');
        expectProblem(await suite.journey.challenge(alice, { purpose: 'KEY_DECISION', requestId: pending.body.requestId, decision: 'MAYBE' }), 400, 'INVALID_INPUT');
        expectProblem(await suite.journey.challenge(alice, { purpose: 'PROMPT_FREQUENCY', browserId: 'b1', frequency: 'HOURLY' }), 400, 'INVALID_INPUT');
        const frequency = await call(suite.server, 'PUT', `${base}/agents/alice/browsers/b1/prompt-frequency`, alice.token, { frequency: 'NEVER', challengeId: 'x', signature: 'A'.repeat(86) });
        expectProblem(frequency, 400, 'INVALID_INPUT');
        expect(frequency.body.detail).toMatch(/frequency/);
        const policy = await call(suite.server, 'POST', '/v1/orgs', suite.server.bootstrapToken, {
          name: 'Acme',
          superAdmin: { agentId: 'a', email: 'a@example.com', displayName: 'A' },
          policy: { firstKeyRequiresAdmin: 'no' },
        });
        expectProblem(policy, 400, 'INVALID_INPUT');
        expect(policy.body.errors).toEqual([expect.objectContaining({ field: 'policy.firstKeyRequiresAdmin' })]);
      });
    });

    it('answers 400 to unknown fields, at any depth, and to fields another challenge purpose binds', async () => {
      await refusedAll(async () => {
        const extra = await call(suite.server, 'POST', `${base}/agents`, alice.token, { agentId: 'x', email: 'x@example.com', displayName: 'X', role: 'MEMBER', isAdmin: true });
        expectProblem(extra, 400, 'INVALID_INPUT');
        expect(extra.body.detail).toMatch(/isAdmin/);
        const nested = await call(suite.server, 'POST', '/v1/orgs', suite.server.bootstrapToken, {
          name: 'Acme',
          superAdmin: { agentId: 'a', email: 'a@example.com', displayName: 'A', role: 'MEMBER' },
        });
        expectProblem(nested, 400, 'INVALID_INPUT');
        expect(nested.body.detail).toMatch(/superAdmin\.role/);
        expectProblem(await call(suite.server, 'POST', `${base}/sensitive-tasks`, alice.token, { browserId: 'b1', task: 't', method: 'REMEMBERED' }), 400, 'INVALID_INPUT');
        expectProblem(await call(suite.server, 'PATCH', `${base}/agents/bob`, alice.token, { role: 'ADMIN', orgId: 'other' }), 400, 'INVALID_INPUT');
        const mixed = await suite.journey.challenge(alice, { purpose: 'SENSITIVE_TASK', browserId: 'b1', task: 't', publicKey: generateKeyPair().publicKey });
        expectProblem(mixed, 400, 'FIELD_NOT_FOR_PURPOSE');
        expect(mixed.body.detail).toMatch(/publicKey/);
      });
    });

    it('answers 400 to thousands of unknown fields, or one with a huge name, in an answer far smaller than the body: the first fields named, and how many more', async () => {
      const many: Record<string, unknown> = { role: 'ADMIN' };
      for (let index = 0; JSON.stringify(many).length < 60_000; index++) many[`f${index}`] = 0;
      const unknown = Object.keys(many).length - 1;
      const huge = { role: 'ADMIN', [`x${'y'.repeat(60_000)}`]: 0 };
      await refusedAll(async () => {
        for (const body of [many, huge]) {
          const response = await checkedFetch(`${suite.server.url}${base}/agents/bob`, {
            method: 'PATCH',
            headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'application/json' },
            body: JSON.stringify(body),
          });
          const text = await response.text();
          expect({ status: response.status, code: JSON.parse(text).code, small: text.length < 8_192 }).toEqual({ status: 400, code: 'INVALID_INPUT', small: true });
        }
        const listed = await call(suite.server, 'PATCH', `${base}/agents/bob`, alice.token, many);
        expect(listed.body.errors.map((error: { field: string }) => error.field)).toEqual(Array.from({ length: 20 }, (_, index) => `f${index}`));
        expect(listed.body.detail).toContain(`f0: property f0 should not exist`);
        expect(listed.body.detail).toContain(`and ${unknown - 20} more fields`);
        const named = await call(suite.server, 'PATCH', `${base}/agents/bob`, alice.token, huge);
        expect(named.body.errors).toEqual([{ field: expect.stringMatching(/^xy+…$/), problems: [expect.stringMatching(/^property xy+… should not exist$/)] }]);
      });
    });

    it('answers 400 to Mongo-style operator objects in string fields', async () => {
      const operators = [{ $ne: null }, { $gt: '' }, { $where: 'sleep(1000)' }, { $regex: '.*' }];
      await refusedAll(async () => {
        for (const operator of operators) {
          const org = await call(suite.server, 'POST', '/v1/orgs', suite.server.bootstrapToken, { name: operator, superAdmin: { agentId: operator, email: operator, displayName: operator } });
          expectProblem(org, 400, 'INVALID_INPUT');
          expect(org.body.errors.map((error: { field: string }) => error.field).sort()).toEqual(['name', 'superAdmin.agentId', 'superAdmin.displayName', 'superAdmin.email']);
          expectProblem(await call(suite.server, 'POST', `${base}/agents`, alice.token, { agentId: operator, email: 'x@example.com', displayName: 'X', role: 'MEMBER' }), 400, 'INVALID_INPUT');
          expectProblem(await suite.journey.changeRole(alice, 'bob', operator as never), 400, 'INVALID_INPUT');
          expectProblem(await call(suite.server, 'DELETE', `${base}/agents/bob/key`, alice.token, { reason: operator }), 400, 'INVALID_INPUT');
          expectProblem(await suite.journey.challenge(alice, { purpose: 'KEY_DECISION', requestId: operator, decision: 'APPROVE' }), 400, 'INVALID_INPUT');
          expectProblem(await suite.journey.challenge(alice, { purpose: operator }), 400, 'INVALID_INPUT');
          expectProblem(await call(suite.server, 'POST', `${base}/key-requests`, bob.token, { publicKey: operator, challengeId: operator, signature: operator }), 400, 'INVALID_INPUT');
          expectProblem(
            await call(suite.server, 'POST', `${base}/key-requests/${pending.body.requestId}/approve`, alice.token, { verificationCode: operator, challengeId: operator, signature: operator }),
            400,
            'INVALID_INPUT',
          );
          expectProblem(await call(suite.server, 'POST', `${base}/sensitive-tasks`, alice.token, { browserId: operator, task: operator }), 400, 'INVALID_INPUT');
        }
      });
    });
  });

  it('answers 400 to names, tasks and reasons holding control or bidirectional formatting characters', async () => {
    // A terminal escape, a forged email line, a right-to-left override that shows "exe.png", NUL, DEL, a C1 control, an isolate, a line separator.
    const hidden = ['\u001b[2J\u001b[HAdmin', 'Bob\r\nBcc: x@example.com', 'Eve\u202Egnp.exe', 'nul\u0000', 'del\u007F', 'c1\u0085', 'iso\u2066x\u2069', 'sep\u2028'];
    await refusedAll(async () => {
      for (const text of hidden) {
        const org = await call(suite.server, 'POST', '/v1/orgs', suite.server.bootstrapToken, { name: text, superAdmin: { agentId: 'a', email: 'a@example.com', displayName: text } });
        expectProblem(org, 400, 'INVALID_INPUT');
        expect(org.body.errors.map((error: { field: string }) => error.field).sort()).toEqual(['name', 'superAdmin.displayName']);
        const agent = await call(suite.server, 'POST', `${base}/agents`, alice.token, { agentId: 'x', email: 'x@example.com', displayName: text, role: 'MEMBER' });
        expectProblem(agent, 400, 'INVALID_INPUT');
        expect(agent.body.detail).toMatch(/displayName/);
        expectProblem(await call(suite.server, 'POST', `${base}/sensitive-tasks`, alice.token, { browserId: 'b1', task: text }), 400, 'INVALID_INPUT');
        // Nor a challenge to sign for such a task, which the task itself would then refuse.
        expectProblem(await call(suite.server, 'POST', `${base}/challenges`, alice.token, { purpose: 'SENSITIVE_TASK', browserId: 'b1', task: text }), 400, 'INVALID_INPUT');
        expectProblem(await call(suite.server, 'DELETE', `${base}/agents/bob/key`, alice.token, { reason: text }), 400, 'INVALID_INPUT');
      }
    });
  });

  it('answers 400 to names, tasks and reasons that are blank, or begin or end with whitespace, naming the field', async () => {
    // "Alice " shows as "Alice" to an approver and in the audit log; a blank name or reason says nothing. Refused, never trimmed: what is recorded (and signed, for a task) is what was sent.
    const cases: [string, RegExp][] = [
      ['   ', /blank/],
      ['\u3000\u00a0', /blank/],
      [' Acme', /begin or end with whitespace/],
      ['Acme ', /begin or end with whitespace/],
      ['Acme\u00a0', /begin or end with whitespace/],
    ];
    const reasons: [string, RegExp][] = [...cases, ['\n\t\n', /blank/], ['Lost laptop\n', /begin or end with whitespace/]];
    const problemOf = (reply: Reply, field: string): string[] => reply.body.errors.find((error: { field: string }) => error.field === field)?.problems ?? [];
    await refusedAll(async () => {
      for (const [text, message] of cases) {
        const org = await call(suite.server, 'POST', '/v1/orgs', suite.server.bootstrapToken, { name: text, superAdmin: { agentId: 'a', email: 'a@example.com', displayName: text } });
        expectProblem(org, 400, 'INVALID_INPUT');
        expect(org.body.errors.map((error: { field: string }) => error.field).sort()).toEqual(['name', 'superAdmin.displayName']);
        expect(problemOf(org, 'name')).toEqual([expect.stringMatching(message)]);
        expect(org.body.detail).toMatch(/name: .*whitespace/);
        const agent = await call(suite.server, 'POST', `${base}/agents`, alice.token, { agentId: 'x', email: 'x@example.com', displayName: text, role: 'MEMBER' });
        expectProblem(agent, 400, 'INVALID_INPUT');
        expect(problemOf(agent, 'displayName')).toEqual([expect.stringMatching(message)]);
        const task = await call(suite.server, 'POST', `${base}/sensitive-tasks`, alice.token, { browserId: 'b1', task: text });
        expectProblem(task, 400, 'INVALID_INPUT');
        expect(problemOf(task, 'task')).toEqual([expect.stringMatching(message)]);
        // Nor a challenge to sign for such a task, which the task itself would then refuse.
        const challenge = await call(suite.server, 'POST', `${base}/challenges`, alice.token, { purpose: 'SENSITIVE_TASK', browserId: 'b1', task: text });
        expectProblem(challenge, 400, 'INVALID_INPUT');
        expect(problemOf(challenge, 'task')).toEqual([expect.stringMatching(message)]);
      }
      for (const [text, message] of reasons) {
        const revoke = await call(suite.server, 'DELETE', `${base}/agents/bob/key`, alice.token, { reason: text });
        expectProblem(revoke, 400, 'INVALID_INPUT');
        expect(problemOf(revoke, 'reason')).toEqual([expect.stringMatching(message)]);
        const reject = await call(suite.server, 'POST', `${base}/key-requests/${pending.body.requestId}/reject`, alice.token, { reason: text, challengeId: 'x', signature: 'A'.repeat(86) });
        expectProblem(reject, 400, 'INVALID_INPUT');
        expect(problemOf(reject, 'reason')).toEqual([expect.stringMatching(message)]);
      }
    });
    // Whitespace inside is text like any other: a reason of several lines, a name with two spaces.
    const created = await call(suite.server, 'POST', '/v1/orgs', suite.server.bootstrapToken, { name: 'Acme  Support', superAdmin: { agentId: 'a', email: 'a@example.com', displayName: 'A\u00a0B' } });
    expectAccepted(created, 201);
    const a = await suite.server.token(created.body.orgId, 'a');
    expectAccepted(await call(suite.server, 'POST', `/v1/orgs/${created.body.orgId}/agents`, a, { agentId: 'b', email: 'b@example.com', displayName: 'B', role: 'MEMBER' }), 201);
    expect((await call(suite.server, 'DELETE', `/v1/orgs/${created.body.orgId}/agents/b/key`, a, { reason: 'Lost laptop.\n\nReported by\tphone.' })).body.code).toBe('NO_ACTIVE_KEY');
  });

  it('answers 400 to names, tasks and reasons that are empty, invisible or hold invisible characters, naming the field and the rule', async () => {
    // Unicode's default ignorable code points show as nothing: a name of U+200B alone shows an approver no name, "Alice\u200B" shows "Alice",
    // tag characters carry text no reader sees. Joiners and variation selectors pass only where they join or select (the last test).
    const cases: [string, RegExp][] = [
      ['', /must not be empty/],
      ['\u200B', /invisible/],
      ['Alice\u200B', /invisible.*U\+200B/],
      ['Al\u200Bice', /invisible.*U\+200B/],
      ['\u2060Bob', /invisible.*U\+2060/],
      ['A\uFEFFB', /invisible.*U\+FEFF/],
      ['Al\u00ADice', /invisible.*U\+00AD/],
      ['Al\u034Fice', /invisible.*U\+034F/],
      ['\u115F', /invisible/],
      ['\u1160x', /invisible/],
      ['\u3164', /invisible/],
      ['Bob\uFFA0', /invisible/],
      ['Alice\u200E', /invisible.*U\+200E/],
      ['Alice\u{E0041}\u{E0042}', /invisible.*U\+E0041/],
      ['\u{E007F}', /invisible/],
      // Joiners and selectors that join or select nothing: at an edge, after whitespace, doubled.
      ['\u200D', /invisible/],
      ['Alice\u200D', /joiner/],
      ['\u200CAlice', /joiner/],
      ['Alice\u180E', /joiner/],
      ['\uFE0F', /invisible/],
      ['\uFE0FAlice', /selector/],
      ['Alice \uFE0F', /selector/],
      ['Al\u200D\u200Dice', /joiner/],
      ['\u200B\u200C', /invisible/],
      // The Braille pattern blank (U+2800) is no Unicode whitespace, yet shows as a space: blank alone, padding at an edge.
      ['\u2800', /blank/],
      ['\u2800 \u2800', /blank/],
      ['Alice\u2800', /begin or end.*U\+2800/],
      ['\u2800Bob', /begin or end.*U\+2800/],
    ];
    const problemOf = (reply: Reply, field: string): string[] => reply.body.errors.find((error: { field: string }) => error.field === field)?.problems ?? [];
    await refusedAll(async () => {
      for (const [text, message] of cases) {
        const org = await call(suite.server, 'POST', '/v1/orgs', suite.server.bootstrapToken, { name: text, superAdmin: { agentId: 'a', email: 'a@example.com', displayName: text } });
        expectProblem(org, 400, 'INVALID_INPUT');
        expect({ text, problems: problemOf(org, 'name') }).toEqual({ text, problems: [expect.stringMatching(message)] });
        expect(org.body.detail).toContain('superAdmin.displayName: must');
        const agent = await call(suite.server, 'POST', `${base}/agents`, alice.token, { agentId: 'x', email: 'x@example.com', displayName: text, role: 'MEMBER' });
        expect({ text, problems: problemOf(agent, 'displayName') }).toEqual({ text, problems: [expect.stringMatching(message)] });
        const task = await call(suite.server, 'POST', `${base}/sensitive-tasks`, alice.token, { browserId: 'b1', task: text });
        expect({ text, problems: problemOf(task, 'task') }).toEqual({ text, problems: [expect.stringMatching(message)] });
        const challenge = await call(suite.server, 'POST', `${base}/challenges`, alice.token, { purpose: 'SENSITIVE_TASK', browserId: 'b1', task: text });
        expect({ text, problems: problemOf(challenge, 'task') }).toEqual({ text, problems: [expect.stringMatching(message)] });
        const revoke = await call(suite.server, 'DELETE', `${base}/agents/bob/key`, alice.token, { reason: text });
        expect({ text, problems: problemOf(revoke, 'reason') }).toEqual({ text, problems: [expect.stringMatching(message)] });
      }
    });
  });

  it('accepts joiners and variation selectors where they join or select: emoji sequences, Persian and Indic words, ideographic variants, flags of tag sequences', async () => {
    const texts = [
      'Zo\u00EB \u{1F469}\u{1F3FD}\u200D\u{1F4BB}', // a ZWJ sequence with a skin tone
      '\u2764\uFE0F\u200D\u{1F525} team', // a selector, then a joiner
      'I \u2764\uFE0F', // ending with a selector
      '\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645', // Persian: ZWNJ inside a word
      '\u0915\u094D\u200D\u0937', // Devanagari: ZWJ after a virama
      '\u845B\u{E0100}\u57CE', // an ideographic variation sequence (U+E0100)
      'Support \u{1F3F4}\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}', // Scotland's flag: U+1F3F4, tag characters, cancel tag
      '\u182A\u1820\u1822\u180E\u1820', // Mongolian: a vowel separator inside a word
      '\u2813\u2811\u2807\u2807\u2815\u2800\u283A\u2815\u2817\u2807\u2819', // Braille, its blank cell between two words
    ];
    for (const text of texts) {
      const created = await call(suite.server, 'POST', '/v1/orgs', suite.server.bootstrapToken, { name: text, superAdmin: { agentId: 'a', email: 'a@example.com', displayName: text } });
      expect({ text, status: created.status, body: created.status === 201 ? undefined : created.body }).toEqual({ text, status: 201, body: undefined });
    }
  });

  it('accepts unicode in names and gives it back unchanged', async () => {
    const name = 'Société Générale — 東京支社 🚀 Ωmega';
    const displayName = 'Zoë Ångström 李小龍 👩🏽‍💻';
    const decomposed = 'Zoe\u0308 (decomposed)';
    const created = await call(suite.server, 'POST', '/v1/orgs', suite.server.bootstrapToken, { name, superAdmin: { agentId: 'zoe', email: 'zoe@example.com', displayName } });
    expectAccepted(created, 201);
    const zoe = await suite.server.token(created.body.orgId, 'zoe');
    const org = await call(suite.server, 'GET', `/v1/orgs/${created.body.orgId}`, zoe);
    expect(org.body.name).toBe(name);
    const added = await call(suite.server, 'POST', `/v1/orgs/${created.body.orgId}/agents`, zoe, { agentId: 'zoe2', email: 'zoe2@example.com', displayName: decomposed, role: 'MEMBER' });
    expectAccepted(added, 201);
    const events = await suite.server.eventStore.readAll(BigInt(created.body.position) - 2n, 10);
    const names = events.filter((event) => event.type === 'AgentAdded').map((event) => event.data.displayName);
    expect(names).toEqual([displayName, decomposed]);
  });

  it('validates the query string of every route that reads one by its zod shape (no global pipe does it)', () => {
    const reading = registeredRoutes(suite.server.app).filter((route) => route.queries.read > 0);
    expect(reading.length).toBeGreaterThanOrEqual(6);
    for (const route of reading) expect({ route: `${route.method} ${route.path}`, ...route.queries }).toEqual({ route: `${route.method} ${route.path}`, read: route.queries.read, validated: route.queries.read });
  });

  it('answers 400 to a query parameter given twice, which readers could take as either value', async () => {
    for (const query of ['status=PENDING&status=ACTIVE', 'status=PENDING&status=PENDING', 'limit=10&limit=20']) {
      const reply = await call(suite.server, 'GET', `${base}/key-requests?${query}`, alice.token);
      expectProblem(reply, 400, 'INVALID_INPUT');
      expect(reply.body.detail).toMatch(/(status|limit) is given 2 times; give it once/);
    }
    const once = await call(suite.server, 'GET', `${base}/key-requests?status=PENDING`, alice.token);
    expect(once.status).toBe(200);
  });

  it('refuses a query parameter named like an Object.prototype member by its name, as any unknown one', async () => {
    for (const name of ['toString', 'constructor', 'hasOwnProperty', '__proto__', 'valueOf']) {
      const reply = await call(suite.server, 'GET', `${base}/key-requests?${name}=1`, alice.token);
      expectProblem(reply, 400, 'INVALID_INPUT');
      expect(reply.body.errors).toEqual([{ field: name, problems: [`property ${name} should not exist`] }]);
    }
  });

  it('answers 400 to a cursor longer than any the server gives (400 characters)', async () => {
    const reply = await call(suite.server, 'GET', `${base}/audit-log?cursor=${'x'.repeat(401)}`, alice.token);
    expectProblem(reply, 400, 'INVALID_INPUT');
    expect(reply.body.errors).toEqual([{ field: 'cursor', problems: ['cursor must be shorter than or equal to 400 characters'] }]);
  });

  it('answers 400 to an integer of the query string not written in decimal digits (0x10, 1e2, +1, empty)', async () => {
    // Number() reads all of these: `limit=0x10` was a page of 16, and `limit=` read as 0.
    for (const limit of ['0x10', '1e2', '+1', '1.0', '%201', '1%20', '', '0b1', 'Infinity']) {
      const reply = await call(suite.server, 'GET', `${base}/key-requests?limit=${limit}`, alice.token);
      expectProblem(reply, 400, 'INVALID_INPUT');
      expect(reply.body.errors).toEqual([{ field: 'limit', problems: expect.arrayContaining(['limit must be an integer number']) }]);
    }
    for (const query of ['from=0x1&to=2', 'from=1&to=2e0']) expectProblem(await call(suite.server, 'GET', `${base}/audit-log/consistency?${query}`, alice.token), 400, 'INVALID_INPUT');
    expectProblem(await call(suite.server, 'GET', `${base}/audit-log/inclusion?index=0x0&size=1`, alice.token), 400, 'INVALID_INPUT');
    expectProblem(await call(suite.server, 'GET', `${base}/key-requests?limit=-1`, alice.token), 400, 'INVALID_INPUT');
    expect((await call(suite.server, 'GET', `${base}/key-requests?limit=10`, alice.token)).status).toBe(200);
  });

  it("answers 400 naming the parameter to a proof route's tree number written otherwise than its canonical decimal (a sign, leading zeros, an exponent, a fraction, hex, space, past 2^53 - 1): only 0 or a digit 1-9 then digits is a number there", async () => {
    const routes: Array<[string, (value: string) => string]> = [
      ['from', (value) => `consistency?from=${value}&to=1`],
      ['to', (value) => `consistency?from=0&to=${value}`],
      ['index', (value) => `inclusion?index=${value}&size=1`],
      ['size', (value) => `inclusion?index=0&size=${value}`],
    ];
    const loose = ['1.0', '1e0', '+1', '%201', '1%20', '01', '00', '-0', '0x1', '-1', '9007199254740992', '1'.repeat(30), ''];
    for (const [field, query] of routes) {
      for (const value of loose) {
        const reply = await call(suite.server, 'GET', `${base}/audit-log/${query(value)}`, alice.token);
        expect({ field, value, status: reply.status, type: reply.contentType, fields: (reply.body.errors as Array<{ field: string }> | undefined)?.map((error) => error.field) }).toEqual({
          field,
          value,
          status: 400,
          type: expect.stringMatching(/^application\/problem\+json/),
          fields: [field],
        });
      }
    }
  });

  it('answers 4xx to invalid ids in paths', async () => {
    await refusedAll(async () => {
      for (const id of ['%24ne', '..', '%2E%2E%2Fadmin', 'a'.repeat(200), 'b%C3%B6b', '-bob', 'bob%00', '%7B%22%24ne%22%3Anull%7D']) {
        const patch = await call(suite.server, 'PATCH', `${base}/agents/${id}`, alice.token, { role: 'ADMIN' });
        expect(patch.status).toBeGreaterThanOrEqual(400);
        expect(patch.status).toBeLessThan(500);
        expectProblem(patch, patch.status);
        expectProblem(await call(suite.server, 'DELETE', `${base}/agents/${id}`, alice.token), patch.status);
        expectProblem(await call(suite.server, 'POST', `${base}/agents/alice/browsers/${id}/logout`, alice.token), patch.status);
        expectProblem(await call(suite.server, 'GET', `${base}/key-requests/${id}`, alice.token), 404);
      }
      // Outside the schema the OpenAPI document gives the parameter: invalid input naming it, as in a body.
      const invalid = await call(suite.server, 'PATCH', `${base}/agents/%24ne`, alice.token, { role: 'ADMIN' });
      expectProblem(invalid, 400, 'INVALID_INPUT');
      expect(invalid.body.errors).toEqual([{ field: 'agentId', problems: [expect.stringMatching(/^agentId "\$ne": must be 1-128 letters/)] }]);
      // Refused by the router before Nest: still problems.
      expectProblem(await call(suite.server, 'PATCH', `${base}/agents/${'a'.repeat(600)}`, alice.token, { role: 'ADMIN' }), 414);
      expectProblem(await call(suite.server, 'PATCH', `${base}/agents/%E0%A4%A`, alice.token, { role: 'ADMIN' }), 400);
      // A request id that looks right but names nobody's stream.
      const forged = `${pending.body.requestId.slice(0, 37)}${Buffer.from('nobody').toString('base64url')}`;
      expectProblem(await call(suite.server, 'GET', `${base}/key-requests/${forged}`, alice.token), 404);
      // An org id of no org's form: invalid input, before R14's 404 for an org that is not the token's.
      expectProblem(await call(suite.server, 'GET', '/v1/orgs/%24ne', alice.token), 400, 'INVALID_INPUT');
      expectProblem(await call(suite.server, 'GET', `${base}/key-requests/${'a'.repeat(257)}`, alice.token), 400, 'INVALID_INPUT');
    });
  });

  describe('HTTP framing: what Node or Fastify would answer without a problem, or read one way of two', () => {
    const request = (method: string, path: string, headers: string[]) => `${method} ${path} HTTP/1.1\r\n${headers.map((header) => `${header}\r\n`).join('')}`;

    it('answers 400 to Authorization, Content-Type or Host given twice, whichever comes first', async () => {
      // Node keeps the first and drops the others: a proxy that checks the last could pass one token while ztkeys acts on another.
      await refusedAll(async () => {
        const twice = [
          ['Host: ztkeys', `Authorization: Bearer ${alice.token}`, 'Authorization: Bearer forged', 'Content-Type: application/json'],
          ['Host: ztkeys', 'Authorization: Bearer forged', `Authorization: Bearer ${alice.token}`, 'Content-Type: application/json'],
          ['Host: ztkeys', `Authorization: Bearer ${alice.token}`, 'Content-Type: application/json', 'Content-Type: text/plain'],
          ['Host: ztkeys', 'Host: elsewhere', `Authorization: Bearer ${alice.token}`, 'Content-Type: application/json'],
        ];
        for (const headers of twice) {
          const reply = await rawCall(suite.server, request('PATCH', `${base}/agents/bob`, headers), '{"role":"ADMIN"}');
          expectProblem(reply, 400, 'HEADER_REPEATED');
          expect(reply.body.detail).toMatch(/(authorization|content-type|host) is given 2 times; give it once/);
        }
      });
      expect((await rawCall(suite.server, request('GET', base, ['Host: ztkeys', `Authorization: Bearer ${alice.token}`]))).status).toBe(200);
    });

    it('checks a target in absolute form (http://host/v1/...) as its path: a query the route does not read is still a 400', async () => {
      // RFC 9112 §3.2.2: servers take the absolute form, and the router routes it; the rule for undeclared input must not read it as no API path.
      const body = JSON.stringify({ name: 'Acme', superAdmin: { agentId: 'a', email: 'a@example.com', displayName: 'A' } });
      await refusedAll(async () => {
        for (const target of ['http://ztkeys/v1/orgs?dryRun=true', 'HTTPS://ztkeys:443/v1/orgs?dryRun=true']) {
          const headers = ['Host: ztkeys', `Authorization: Bearer ${suite.server.bootstrapToken}`, 'Content-Type: application/json'];
          const dryRun = await rawCall(suite.server, request('POST', target, headers), body);
          expectProblem(dryRun, 400, 'INVALID_INPUT');
          expect(dryRun.body.errors).toEqual([{ field: 'dryRun', problems: ['property dryRun should not exist'] }]);
        }
      });
      expect((await rawCall(suite.server, request('GET', `http://ztkeys${base}`, ['Host: ztkeys', `Authorization: Bearer ${alice.token}`]))).status).toBe(200);
    });

    it('answers 400 to a target in absolute form of a scheme other than http(s), naming the target, not a percent-escape', async () => {
      for (const target of ['ftp://x/health/live', 'ws://ztkeys/v1/orgs']) {
        const reply = await rawCall(suite.server, request('GET', target, ['Host: ztkeys']));
        expectProblem(reply, 400, 'REQUEST_TARGET_MALFORMED');
        expect(reply.body.detail).toContain(JSON.stringify(target));
        expect(reply.body.detail).toMatch(/neither a path .* nor an http or https URL/);
        expect(reply.body.detail).not.toMatch(/percent-escape/);
      }
      expect(JSON.stringify((await rawCall(suite.server, request('GET', '/health/%E0%A4%A', ['Host: ztkeys']))).body)).toMatch(/percent-escape/);
    });

    it('answers problems to no Host, an unknown Expect and CONNECT, which Node answers with an empty body or not at all', async () => {
      await refusedAll(async () => {
        expectProblem(await rawCall(suite.server, request('PATCH', `${base}/agents/bob`, [`Authorization: Bearer ${alice.token}`, 'Content-Type: application/json']), '{"role":"ADMIN"}'), 400, 'HOST_REQUIRED');
        const expecting = await rawCall(suite.server, request('PATCH', `${base}/agents/bob`, ['Host: ztkeys', `Authorization: Bearer ${alice.token}`, 'Content-Type: application/json', 'Expect: bogus']), '{"role":"ADMIN"}');
        expectProblem(expecting, 417, 'EXPECTATION_FAILED');
        expectProblem(await rawCall(suite.server, request('CONNECT', base, ['Host: ztkeys'])), 405, 'METHOD_NOT_ALLOWED');
        expectProblem(await rawCall(suite.server, request('CONNECT', 'ztkeys:443', ['Host: ztkeys:443'])), 405, 'METHOD_NOT_ALLOWED');
      });
    });

    it('answers 400 to a transfer coding other than chunked, and to Transfer-Encoding in HTTP/1.0, which Node would read as chunked alone', async () => {
      // Node decodes only chunked: `gzip, chunked` was read as the bare JSON inside the chunks, where a proxy that decodes gzip reads another body.
      const chunked = (json: string) => `${Buffer.byteLength(json).toString(16)}\r\n${json}\r\n0\r\n\r\n`;
      const patch = (version: string, coding: string) =>
        `PATCH ${base}/agents/bob HTTP/${version}\r\nHost: ztkeys\r\nAuthorization: Bearer ${alice.token}\r\nContent-Type: application/json\r\nTransfer-Encoding: ${coding}\r\n`;
      await refusedAll(async () => {
        for (const coding of ['gzip, chunked', 'deflate,chunked', 'x-unknown, chunked']) {
          const reply = await rawCall(suite.server, patch('1.1', coding), chunked('{"role":"ADMIN"}'));
          expectProblem(reply, 400, 'TRANSFER_CODING_UNSUPPORTED');
          expect(reply.body.detail).toContain(coding);
        }
        // RFC 9112 §6.1: Transfer-Encoding in an HTTP/1.0 message is faulty framing, whatever a Content-Length says.
        const old = await rawCall(suite.server, patch('1.0', 'chunked'), chunked('{"role":"ADMIN"}'));
        expectProblem(old, 400, 'TRANSFER_CODING_UNSUPPORTED');
        expect(old.body.detail).toMatch(/HTTP\/1\.0/);
      });
      expect((await rawCall(suite.server, patch('1.1', 'chunked'), chunked('{"role":"MEMBER"}'))).status).toBe(200);
    });

    it('answers 431 to more than 2,000 header fields, past which Node would drop the rest silently, and reads 2,000 whole', async () => {
      // The fields dropped were the token, the body's Content-Type and Content-Length, an Idempotency-Key or a second Content-Type: the
      // route ran as if they had not been sent (a DELETE with a body it refuses went through, bodiless).
      const agent = await suite.journey.addAgent(alice, 'many-headers');
      const padding = (fields: number) => Array.from({ length: fields }, () => 'a:');
      await refusedAll(async () => {
        const remove = request('DELETE', `${base}/agents/${agent.agentId}`, ['Host: ztkeys', `Authorization: Bearer ${alice.token}`, ...padding(2000), 'Content-Type: application/json']);
        const reply = await rawCall(suite.server, remove, '{"dryRun":true}');
        expectProblem(reply, 431, 'HEADERS_TOO_LARGE');
        expect(reply.body.detail).toMatch(/more than 2000 header fields/);
      });
      // rawCall adds Connection: close, the 2,000th field; the token before it is read.
      expect((await rawCall(suite.server, request('GET', base, ['Host: ztkeys', ...padding(1997), `Authorization: Bearer ${alice.token}`]))).status).toBe(200);
      expect((await rawCall(suite.server, request('GET', base, ['Host: ztkeys', ...padding(1998), `Authorization: Bearer ${alice.token}`]))).status).toBe(431);
    });

    it('answers 405 with Allow to a method a path does not take, and 404 to a path no route takes', async () => {
      await refusedAll(async () => {
        const put = await checkedFetch(`${suite.server.url}${base}`, { method: 'PUT', headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'application/json' }, body: '{"name":"Renamed"}' });
        expect({ status: put.status, type: put.headers.get('content-type'), allow: put.headers.get('allow') }).toEqual({ status: 405, type: expect.stringMatching(/^application\/problem\+json/), allow: 'GET, HEAD' });
        expect(await put.json()).toMatchObject({ code: 'METHOD_NOT_ALLOWED', title: 'Method Not Allowed' });
        const deleted = await checkedFetch(`${suite.server.url}/v1/orgs`, { method: 'DELETE', headers: { authorization: `Bearer ${suite.server.bootstrapToken}` } });
        expect({ status: deleted.status, allow: deleted.headers.get('allow') }).toEqual({ status: 405, allow: 'POST' });
        expectProblem(await call(suite.server, 'GET', `${base}/nothing-here`, alice.token), 404, 'NOT_FOUND');
      });
    });

    it('answers 404 naming the path to a console file that does not exist, never a 405 whose Allow names the very method sent', async () => {
      for (const path of ['/console/nope.js', '/console/assets/nope.js', '/console/app/', '/console/%2e%2e%2fpackage.json']) {
        for (const method of ['GET', 'HEAD']) {
          const reply = await checkedFetch(`${suite.server.url}${path}`, { method });
          expect({ path, method, status: reply.status, allow: reply.headers.get('allow'), type: reply.headers.get('content-type') }).toEqual({
            path,
            method,
            status: 404,
            allow: null,
            type: expect.stringMatching(/^application\/problem\+json/),
          });
        }
        const problem = await call(suite.server, 'GET', path);
        expectProblem(problem, 404, 'NOT_FOUND');
        expect(problem.body.detail).toContain(path);
      }
      expect((await checkedFetch(`${suite.server.url}/console/`)).status).toBe(200);
      expectProblem(await call(suite.server, 'POST', '/console/nope.js'), 405, 'METHOD_NOT_ALLOWED');
    });

    it('answers a console path that is not canonical ("..", ".", "//") or holds a NUL, a range past the file or a failed precondition with a problem that says so', async () => {
      for (const path of ['/console/../x', '/console/assets/../../package.json', '/console/%2e%2e/x', '/console/./index.html', '/console//index.html']) {
        const reply = await rawCall(suite.server, request('GET', path, ['Host: ztkeys']));
        expectProblem(reply, 403, 'CONSOLE_PATH_NOT_CANONICAL');
        expect(reply.body.detail).toMatch(/"\."|"\.\."|empty/);
      }
      const nul = await rawCall(suite.server, request('GET', '/console/x%00', ['Host: ztkeys']));
      expectProblem(nul, 400, 'CONSOLE_PATH_MALFORMED');
      expect(nul.body.detail).toMatch(/NUL/);
      const range = await rawCall(suite.server, request('GET', '/console/', ['Host: ztkeys', 'Range: bytes=99999999-']));
      expectProblem(range, 416, 'CONSOLE_RANGE_NOT_SATISFIABLE');
      expect(range.body.detail).toMatch(/Range/);
      const precondition = await rawCall(suite.server, request('GET', '/console/', ['Host: ztkeys', 'If-Match: "not-this-one"']));
      expectProblem(precondition, 412, 'CONSOLE_PRECONDITION_FAILED');
      expect(precondition.body.detail).toMatch(/If-Match/);
    });

    it('titles every problem with the reason phrase of its status, also those of the console files (412, 416)', async () => {
      const range = await rawCall(suite.server, request('GET', '/console/', ['Host: ztkeys', 'Range: bytes=99999999-']));
      expect(range.status).toBe(416);
      expect(range.body).toMatchObject({ status: 416, title: 'Range Not Satisfiable' });
      const precondition = await rawCall(suite.server, request('GET', '/console/', ['Host: ztkeys', 'If-Match: "not-this-one"']));
      expect(precondition.status).toBe(412);
      expect(precondition.body).toMatchObject({ status: 412, title: 'Precondition Failed' });
    });

    it('answers 408 to a request whose body never ends, instead of holding its connection forever', async () => {
      const impatient = await startTestServer({ REQUEST_TIMEOUT_MS: '500' });
      try {
        const org = await new Journey(impatient).createOrg('alice');
        const patch = (framing: string) => request('PATCH', `/v1/orgs/${org.orgId}/agents/alice`, ['Host: ztkeys', `Authorization: Bearer ${org.token}`, 'Content-Type: application/json', framing]);
        await expectNothingWritten(impatient, async () => {
          for (const [framing, sent] of [['Content-Length: 50', '{"role":'], ['Transfer-Encoding: chunked', '8\r\n{"role":\r\n']]) {
            const started = Date.now();
            const reply = await rawCall(impatient, patch(framing), sent, 10_000);
            expectProblem(reply, 408, 'REQUEST_TIMEOUT');
            expect(Date.now() - started).toBeLessThan(5000);
          }
        });
      } finally {
        await impatient.close();
      }
    });

    it('answers 400 at once to an X-Min-Position past the end of the log, which no command answered', async () => {
      const head = (await suite.server.eventStore.headPosition())!;
      const started = Date.now();
      const reply = await call(suite.server, 'GET', `${base}/key-requests`, alice.token, undefined, { 'x-min-position': String(head + 1000n) });
      expectProblem(reply, 400, 'INVALID_MIN_POSITION');
      expect(reply.body.detail).toMatch(/past the end of the log/);
      // Not after MIN_POSITION_WAIT_MS (5 s here): waiting for it could only end in a 503 that no retry cures.
      // The bound leaves a loaded machine's slow answer room, below the wait it must not take.
      expect(Date.now() - started).toBeLessThan(4000);
      expect((await call(suite.server, 'GET', `${base}/key-requests`, alice.token, undefined, { 'x-min-position': String(head) })).status).toBe(200);
    });

    it('says a 20-digit X-Min-Position at or above 2^64 is past the end of the log, as it is, not that it is no decimal integer', async () => {
      for (const position of ['18446744073709551616', '99999999999999999999']) {
        const reply = await call(suite.server, 'GET', `${base}/key-requests`, alice.token, undefined, { 'x-min-position': position });
        expectProblem(reply, 400, 'INVALID_MIN_POSITION');
        expect(reply.body.detail).toMatch(new RegExp(`^X-Min-Position ${position} is past the end of the log`));
      }
    });
  });

  it('answers 401 to a missing, malformed or foreign token, and to a wrong bootstrap token', async () => {
    await refusedAll(async () => {
      const body = { name: 'Acme', superAdmin: { agentId: 'a', email: 'a@example.com', displayName: 'A' } };
      for (const token of [undefined, 'not-a-jwt', alice.token, `${suite.server.bootstrapToken}x`]) {
        expectProblem(await call(suite.server, 'POST', '/v1/orgs', token, body), 401, 'UNAUTHENTICATED');
      }
      for (const token of [undefined, 'not-a-jwt', suite.server.bootstrapToken, `${alice.token.slice(0, -2)}xx`]) {
        expectProblem(await call(suite.server, 'PATCH', `${base}/agents/bob`, token, { role: 'ADMIN' }), 401, 'UNAUTHENTICATED');
      }
      const stranger = await suite.server.token(alice.orgId, 'mallory');
      expectProblem(await call(suite.server, 'PATCH', `${base}/agents/bob`, stranger, { role: 'ADMIN' }), 403, 'NOT_A_MEMBER');
      expectProblem(await call(suite.server, 'POST', `${base}/challenges`, stranger, { purpose: 'KEY_REQUEST', publicKey: generateKeyPair().publicKey }), 403, 'NOT_A_MEMBER');
    });
  });

  describe('generated junk at every command endpoint (fast-check)', () => {
    const RUNS = 150;
    const junkId = fc.oneof(fc.constantFrom('alice', 'carl', 'b1', 'nobody'), fc.string({ maxLength: 140 }), fc.string({ unit: 'grapheme', maxLength: 20 }));
    const junkValue = fc.oneof(fc.anything(), fc.string(), fc.constantFrom({ $ne: null }, { $gt: '' }, null, '', 'A'.repeat(86), 'ADMIN', 'DAILY'));
    const text = fc.string({ minLength: 1, maxLength: 40 });

    /** Real challenges and signatures, so that generated bodies also get past validation into the deciders. */
    interface Material {
      keyRequest: { publicKey: string; challengeId: string; signature: string };
      approve: { challengeId: string; signature: string };
      reject: { challengeId: string; signature: string };
      frequency: { challengeId: string; signature: string };
      task: { challengeId: string; signature: string };
    }
    let material: Material;
    /** An org of its own: alice (SUPER_ADMIN, key), bob (MEMBER, PENDING request), carl (MEMBER, whom the junk may change). */
    let org: { alice: TestAgent; bob: TestAgent; pending: Reply; base: string };

    beforeAll(async () => {
      const alice = await suite.journey.createOrg('alice');
      await suite.journey.requestKey(alice);
      const bob = await suite.journey.addAgent(alice, 'bob');
      await suite.journey.addAgent(alice, 'carl');
      org = { alice, bob, pending: await suite.journey.requestKey(bob), base: `/v1/orgs/${alice.orgId}` };
      const key = generateKeyPair();
      const requestId = org.pending.body.requestId;
      material = {
        keyRequest: { publicKey: key.publicKey, ...(await suite.journey.signed(bob, key, { purpose: 'KEY_REQUEST', publicKey: key.publicKey })) },
        approve: await suite.journey.signed(alice, alice.key!, { purpose: 'KEY_DECISION', requestId, decision: 'APPROVE' }),
        reject: await suite.journey.signed(alice, alice.key!, { purpose: 'KEY_DECISION', requestId, decision: 'REJECT' }),
        frequency: await suite.journey.signed(alice, alice.key!, { purpose: 'PROMPT_FREQUENCY', browserId: 'b1', frequency: 'DAILY' }),
        task: await suite.journey.signed(alice, alice.key!, { purpose: 'SENSITIVE_TASK', browserId: 'b1', task: 'remote-control:device-42' }),
      };
    });

    /** Plausible values of each field (real ones among them), each sometimes swapped for junk. */
    const proofFields = (proof: { challengeId: string; signature: string }) => ({
      challengeId: fc.oneof({ weight: 3, arbitrary: fc.constant(proof.challengeId) }, fc.string({ maxLength: 100 })),
      signature: fc.oneof(
        { weight: 3, arbitrary: fc.constant(proof.signature) },
        fc.constant('A'.repeat(86)),
        fc.base64String().map((value) => value.replace(/=+$/, '')),
      ),
    });

    type Shape = Record<string, fc.Arbitrary<unknown>>;

    /** What is sent as the body: JSON of anything, JSON-ish text, the right keys with junk values, or plausible values of one shape. */
    const junkBody = (shapes: Shape[]) => {
      const keys = [...new Set(shapes.flatMap((shape) => Object.keys(shape)))];
      const plausible = shapes.map((shape) =>
        Object.fromEntries(Object.entries(shape).map(([key, value]) => [key, fc.oneof({ weight: 4, arbitrary: value }, { weight: 1, arbitrary: junkValue })])),
      );
      const json = (arbitrary: fc.Arbitrary<unknown>) => arbitrary.map((value) => JSON.stringify(value));
      return fc.oneof(
        json(fc.anything()),
        fc.json(),
        fc.string(),
        json(fc.dictionary(keys.length > 0 ? fc.constantFrom(...keys) : fc.string(), junkValue)),
        json(fc.oneof(...plausible.map((shape) => fc.record(shape, { requiredKeys: [] })))),
        { weight: 3, arbitrary: json(fc.oneof(...plausible.map((shape) => fc.record(shape)))) },
        fc.constant(undefined),
      );
    };
    const contentType = fc.constantFrom('application/json', 'application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded');

    interface Endpoint {
      name: string;
      method: string;
      path: (id: string) => string;
      /** The shapes of body the endpoint takes, with plausible values. */
      fields: Shape[];
      token: string | undefined;
      /** Refusals that are audited (R5, R11): written, then answered. */
      recorded?: string[];
    }

    const newAgent = { agentId: fc.stringMatching(/^[a-z0-9][a-z0-9._@-]{0,20}$/), email: fc.emailAddress(), displayName: text };
    const orgFields = { name: text, superAdmin: fc.record(newAgent), policy: fc.record({ firstKeyRequiresAdmin: fc.boolean() }) };
    const requestPath = (id: string, action: string) => `${org.base}/key-requests/${encodeURIComponent(id === 'carl' ? org.pending.body.requestId : id)}/${action}`;

    /** Built once the org and the material exist. */
    const endpoints = (): Endpoint[] => [
      { name: 'POST /v1/orgs (bootstrap token)', method: 'POST', path: () => '/v1/orgs', fields: [orgFields], token: suite.server.bootstrapToken },
      { name: 'POST /v1/orgs (no token)', method: 'POST', path: () => '/v1/orgs', fields: [orgFields], token: undefined },
      { name: 'POST agents', method: 'POST', path: () => `${org.base}/agents`, fields: [{ ...newAgent, role: fc.constantFrom('MEMBER', 'ADMIN', 'AUDITOR') }], token: org.alice.token },
      { name: 'PATCH agents/:agentId', method: 'PATCH', path: (id) => `${org.base}/agents/${encodeURIComponent(id)}`, fields: [{ role: fc.constantFrom('ADMIN', 'AUDITOR', 'MEMBER') }], token: org.alice.token },
      // Bob (a MEMBER) calls the destructive ones, and no junk makes a second SUPER_ADMIN: the org the other endpoints work on stays whole.
      { name: 'DELETE agents/:agentId', method: 'DELETE', path: (id) => `${org.base}/agents/${encodeURIComponent(id)}`, fields: [{}], token: org.bob.token },
      { name: 'DELETE agents/:agentId/key', method: 'DELETE', path: (id) => `${org.base}/agents/${encodeURIComponent(id)}/key`, fields: [{ reason: text }], token: org.bob.token },
      {
        name: 'POST challenges',
        method: 'POST',
        path: () => `${org.base}/challenges`,
        fields: [
          { purpose: fc.constant('KEY_REQUEST'), publicKey: fc.constantFrom(generateKeyPair().publicKey, ...Object.values(BAD_KEYS).map((bad) => bad.key)) },
          { purpose: fc.constant('KEY_DECISION'), requestId: fc.oneof(fc.constant(org.pending.body.requestId), fc.string()), decision: fc.constantFrom('APPROVE', 'REJECT') },
          { purpose: fc.constant('PROMPT_FREQUENCY'), browserId: fc.constantFrom('b1', 'b2'), frequency: fc.constantFrom('EVERY_TASK', 'DAILY', 'WEEKLY') },
          { purpose: fc.constant('SENSITIVE_TASK'), browserId: fc.constantFrom('b1', 'b2'), task: text },
        ],
        token: org.bob.token,
      },
      {
        name: 'POST key-requests',
        method: 'POST',
        path: () => `${org.base}/key-requests`,
        fields: [
          {
            publicKey: fc.oneof(fc.constant(material.keyRequest.publicKey), fc.constantFrom(...Object.values(BAD_KEYS).map((bad) => bad.key))),
            ...proofFields(material.keyRequest),
            replacePending: fc.boolean(),
          },
        ],
        token: org.bob.token,
      },
      {
        name: 'POST key-requests/:requestId/approve',
        method: 'POST',
        path: (id) => requestPath(id, 'approve'),
        fields: [{ verificationCode: fc.oneof(fc.constant(org.pending.body.verificationCode), fc.stringMatching(/^[0-9](?:[ -]?[0-9]){14}$/)), ...proofFields(material.approve) }],
        token: org.alice.token,
        recorded: ['VERIFICATION_CODE_MISMATCH', 'REQUEST_LOCKED'],
      },
      { name: 'POST key-requests/:requestId/reject', method: 'POST', path: (id) => requestPath(id, 'reject'), fields: [{ reason: text, ...proofFields(material.reject) }], token: org.alice.token },
      {
        name: 'PUT prompt-frequency',
        method: 'PUT',
        path: (id) => `${org.base}/agents/alice/browsers/${encodeURIComponent(id)}/prompt-frequency`,
        fields: [{ frequency: fc.constantFrom('EVERY_TASK', 'DAILY', 'WEEKLY'), ...proofFields(material.frequency) }],
        token: org.alice.token,
      },
      { name: 'POST logout', method: 'POST', path: (id) => `${org.base}/agents/alice/browsers/${encodeURIComponent(id)}/logout`, fields: [{}], token: org.alice.token },
      {
        name: 'POST sensitive-tasks',
        method: 'POST',
        path: () => `${org.base}/sensitive-tasks`,
        fields: [{ browserId: fc.constantFrom('b1', 'b2'), task: fc.oneof(fc.constant('remote-control:device-42'), text), ...proofFields(material.task) }],
        token: org.alice.token,
        recorded: ['PROMPT_REQUIRED', 'NO_ACTIVE_KEY', 'INVALID_SIGNATURE'],
      },
    ];

    it('never answers 5xx, answers every error as problem+json, and writes nothing on a 4xx (except audited refusals)', async () => {
      const seen = new Map<string, Set<number>>();
      for (const endpoint of endpoints()) {
        const statuses = new Set<number>();
        seen.set(endpoint.name, statuses);
        await fc.assert(
          fc.asyncProperty(junkId, junkBody(endpoint.fields), contentType, async (id, body, type) => {
            const before = await suite.server.eventStore.headPosition();
            const reply = await call(suite.server, endpoint.method, endpoint.path(id), endpoint.token, body, body === undefined ? {} : { 'content-type': type });
            const after = await suite.server.eventStore.headPosition();
            statuses.add(reply.status);
            const what = `${endpoint.name} ${endpoint.path(id)} ${type} ${String(body).slice(0, 300)} -> ${reply.status} ${JSON.stringify(reply.body).slice(0, 300)}`;
            if (reply.status >= 500) throw new Error(`5xx: ${what}`);
            if (reply.status < 400) return;
            if (!reply.contentType.startsWith('application/problem+json')) throw new Error(`not problem+json: ${what}`);
            if (typeof reply.body.detail !== 'string' || reply.body.status !== reply.status) throw new Error(`bad problem: ${what}`);
            if (after === before) return;
            // An audited refusal is written, then answered, with the position it reached.
            if (!endpoint.recorded?.includes(reply.body.code) || reply.body.position !== String(after)) throw new Error(`4xx wrote events: ${what}`);
          }),
          { numRuns: RUNS },
        );
      }
      // Every endpoint answered beyond the body parser and validation too: the junk reached the handlers and deciders.
      for (const [name, statuses] of seen) {
        expect({ name, beyondValidation: [...statuses].some((status) => status !== 400 && status !== 415) }).toEqual({ name, beyondValidation: true });
      }
      expect([...seen.get('POST /v1/orgs (no token)')!]).toContain(401);
    });
  });
});
