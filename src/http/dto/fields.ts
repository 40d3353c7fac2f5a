import { z } from 'zod';
import { shownText, type TextLines } from '../../domain/shared/shown-text';
import { lookalikeDomainProblem, mixedScriptProblem } from '../../shared/lookalike-text';
import { ID_PATTERN } from '../../domain/streams';

/**
 * Field schemas the bodies share, so every body validates and documents a field the same way.
 * A 400 names the field before each message (see zodFieldProblems).
 */
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export const idField = (description: string, example = 'alice') =>
  z
    .string()
    .regex(ID_PATTERN, { message: 'must be 1-128 letters, digits, ".", "_", "@" or "-", starting with a letter or digit' })
    .meta({ description, example });

/** Free text a person reads (shown-text.ts): names, tasks and reasons reach the console, emails and the CLI's terminal. */
export const textField = (description: string, max: number, lines: TextLines = 'one line') => shownText(max, lines).describe(description);

/** A person's name as approvers read it: text that shows, with no word mixing scripts ("Аlice", its "А" Cyrillic, is not Alice). */
export const personNameField = (description: string) =>
  shownText(200)
    .superRefine((name, context) => {
      const problem = mixedScriptProblem(name);
      if (problem) context.addIssue({ code: 'custom', message: problem });
    })
    .describe(`${description}; no word may mix scripts (UTS #39, Highly Restrictive: Latin may join Han with Hiragana and Katakana, Bopomofo or Hangul)`);

/** RFC 5322's atext: what a word of a local part may hold, unquoted. */
const ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';

/**
 * One mailbox as RFC 5321 delivers it unquoted: a Dot-string local part of at most 64 octets
 * (§4.5.3.1.1; nodemailer would quietly quote ".a" or "a..b", an address nobody typed), then a
 * domain name of two labels or more whose last is no number (a relay delivers "root@localhost" to
 * its own root; "a@10.0.0.1" is no domain). No "=?" either: RFC 2047 §5 allows no encoded word in
 * an address, but mail parsers decode one there, and the To header would name another mailbox than
 * the one mailed. Quoted local parts and address literals are refused, as the WHATWG rule did.
 */
const MAILBOX = new RegExp(`^(?=[^@]{1,64}@)(?!.*=\\?)${ATEXT}(?:\\.${ATEXT})*@(?:${LABEL}\\.)+(?=[A-Za-z0-9-]*[A-Za-z])${LABEL}$`);

/**
 * An address the SMTP server takes as written and every mail client reads as the same mailbox: an
 * international domain in its punycode form, each of its labels one a mail client shows as no other
 * domain (lookalike-text.ts).
 */
export const emailField = () =>
  z
    .email({
      pattern: MAILBOX,
      message:
        'must be one address, local-part@domain: a local part of at most 64 letters, digits and !#$%&\'*+/=?^_`{|}~- in words joined by single dots, without "=?", and a domain name with a dot whose last label is not a number',
    })
    .max(254)
    .superRefine((address, context) => {
      const problem = MAILBOX.test(address) ? lookalikeDomainProblem(address.slice(address.indexOf('@') + 1)) : undefined;
      if (problem) context.addIssue({ code: 'custom', message: problem });
    })
    .meta({
      description:
        'Email address, local-part@domain in ASCII: an international domain in its punycode form (xn--), each such label the IDNA form of a name in one script, and not of letters that only look like Latin ones (Cyrillic, Greek) under a top-level domain of another script',
      example: 'alice@example.com',
    });

export const publicKeyField = () =>
  z
    .string()
    .length(43, { message: 'publicKey must be 43 base64url characters (a raw 32-byte Ed25519 key)' })
    .regex(BASE64URL, { message: 'publicKey must be base64url without padding' })
    .describe('Raw 32-byte Ed25519 public key, base64url without padding (43 characters)');

export const signatureField = (description = 'Ed25519 signature over the challenge statement (UTF-8), base64url without padding (86 characters)') =>
  z
    .string()
    .length(86, { message: 'signature must be 86 base64url characters (a 64-byte Ed25519 signature)' })
    .regex(BASE64URL, { message: 'signature must be base64url without padding' })
    .describe(description);

export const challengeIdField = (description = 'challengeId from POST /v1/orgs/{orgId}/challenges') => z.string().min(1).max(4096).describe(description);
