import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** The OIDC provider the web console signs in through: authorization code flow with PKCE (S256), as a public client. */
export class ConsoleOidcView {
  @ApiProperty({ example: 'https://id.example.com/oauth2/authorize', description: 'Where the console sends the browser with response_type=code, client_id, redirect_uri (this server\'s /console/), scope, state and an S256 code_challenge' })
  authorizationEndpoint: string;
  @ApiProperty({ example: 'https://id.example.com/oauth2/token', description: 'Where the console exchanges the code (with its code_verifier, no client secret) for an access token: a JWT the API verifies against JWKS_URL' })
  tokenEndpoint: string;
  @ApiProperty({ example: 'ztkeys-console', description: 'The console\'s client id at the provider (a public client: no secret)' })
  clientId: string;
  @ApiProperty({ example: 'openid', description: 'The scope the console asks for' })
  scope: string;
}

/** How a person signs in to the web console on this deployment. */
export class SignInOptionsView {
  @ApiProperty({ description: 'A pasted agent token is always accepted' })
  token: boolean;
  @ApiPropertyOptional({ type: ConsoleOidcView, description: 'Present when the deployment sets OIDC_AUTHORIZATION_URL, OIDC_TOKEN_URL and OIDC_CLIENT_ID (with JWKS_URL)' })
  oidc?: ConsoleOidcView;
}
