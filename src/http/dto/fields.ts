import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { ID_PATTERN } from '../../domain/streams';

/** Reusable field rules, so every DTO validates and documents the same thing the same way. */
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export const IdField = (description: string, optional = false) =>
  applyDecorators(
    (optional ? ApiPropertyOptional : ApiProperty)({ description, pattern: ID_PATTERN.source, example: 'alice' }),
    ...(optional ? [IsOptional()] : []),
    IsString(),
    Matches(ID_PATTERN, { message: '$property must be 1-128 letters, digits, ".", "_", "@" or "-", starting with a letter or digit' }),
  );

export const TextField = (description: string, max: number, optional = false) =>
  applyDecorators(
    (optional ? ApiPropertyOptional : ApiProperty)({ description, minLength: 1, maxLength: max }),
    ...(optional ? [IsOptional()] : []),
    IsString(),
    Length(1, max),
  );

export const PublicKeyField = () =>
  applyDecorators(
    ApiProperty({ description: 'Raw 32-byte Ed25519 public key, base64url without padding (43 characters)', minLength: 43, maxLength: 43 }),
    IsString(),
    Length(43, 43, { message: 'publicKey must be 43 base64url characters (a raw 32-byte Ed25519 key)' }),
    Matches(BASE64URL, { message: 'publicKey must be base64url without padding' }),
  );

export const SignatureField = (optional = false) =>
  applyDecorators(
    (optional ? ApiPropertyOptional : ApiProperty)({ description: 'Ed25519 signature over the challenge statement (UTF-8), base64url without padding (86 characters)', minLength: 86, maxLength: 86 }),
    ...(optional ? [IsOptional()] : []),
    IsString(),
    Length(86, 86, { message: 'signature must be 86 base64url characters (a 64-byte Ed25519 signature)' }),
    Matches(BASE64URL, { message: 'signature must be base64url without padding' }),
  );

export const ChallengeIdField = (optional = false) =>
  applyDecorators(
    (optional ? ApiPropertyOptional : ApiProperty)({ description: 'challengeId from POST /v1/orgs/{orgId}/challenges', maxLength: 4096 }),
    ...(optional ? [IsOptional()] : []),
    IsString(),
    MaxLength(4096),
  );
