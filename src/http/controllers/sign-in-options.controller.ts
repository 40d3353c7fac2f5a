import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../../auth/access.decorators';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { RateLimitedResponse, ServerStoppingResponse } from '../api-docs.decorators';
import { SignInOptionsView } from '../views/sign-in-options.view';

/** What the web console needs before anyone is signed in: whether, and where, to redirect to the OIDC provider. */
@ApiTags('sign-in')
@Controller('v1/sign-in-options')
@Public()
export class SignInOptionsController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @Get()
  @ApiOperation({
    operationId: 'getSignInOptions',
    summary: 'How the web console signs a person in',
    description:
      'Public, no token. A pasted agent token always works; with oidc, the console also offers a redirect to the provider: authorization code flow with PKCE (S256) as a public client, redirect_uri this server\'s /console/, the access token (a JWT with this API\'s iss, aud, sub and org) kept in the tab\'s sessionStorage.',
    security: [],
  })
  @ApiOkResponse({ type: SignInOptionsView, description: 'The sign-in options of this deployment' })
  @RateLimitedResponse()
  @ServerStoppingResponse()
  options(): SignInOptionsView {
    return { token: true, ...(this.config.consoleOidc && { oidc: this.config.consoleOidc }) };
  }
}
