import { z } from 'zod';
import { shownText, type TextLines } from '../../domain/shared/shown-text';
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

/** An address as an HTML form's email input takes it (WHATWG), which RFC 5321's usual addresses pass. */
export const emailField = () => z.email({ pattern: z.regexes.html5Email }).max(254).meta({ example: 'alice@example.com' });

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
